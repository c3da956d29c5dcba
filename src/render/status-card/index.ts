/**
 * The status cards of /查询: a courtyard's, a street office's or the district's figures, and
 * one person's duties this week. The headline is the last published week's score and rank
 * (what the weekly push said), the running week beside it (src/services/headline.ts); the
 * figures are a courtyard's figures (src/services/figures.ts), milestones as /节点 counts
 * them (src/services/milestones.ts). Rendered as WeCom markdown, paged to one message each.
 *
 * Split by card: shared.ts (options, shared lines, paging), courtyard.ts, area.ts (a street
 * office or the district), duties.ts (one person's week), push-problems.ts (for admins).
 * What each card reads is src/services/status-card/'s (courtyardFacts, areaFacts, …); this
 * directory words it.
 */
export type { Figures } from '../../services/figures';
export { pageFooter, type CardOptions } from './shared';
export { courtyardCard } from './courtyard';
export { areaCard, WORST_SHOWN } from './area';
export { myDutiesCard } from './duties';
export { pushProblems } from './push-problems';
