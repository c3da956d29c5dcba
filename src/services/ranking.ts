/**
 * Rankings of street offices, courtyards and cadres by the campaign score
 * (src/services/score.ts) for one period, as things stood then. The data comes from
 * src/services/score-measures.ts (indexed, period-bounded aggregations). A ranking computed
 * here carries no arrows: ↑↓ compare published rankings (src/services/snapshots.ts).
 */
import type { Models } from '../db/models';
import type { WorkingCalendar } from './calendar';
import { countOverdue, NO_OVERDUE, type OverdueCount } from './overdue';
import type { Period } from './period';
import {
  cadreVisitsPart,
  combineParts,
  courtyardVisitsPart,
  DEFAULT_SCORE_WEIGHTS,
  mean,
  onTimePart,
  orgsPart,
  ownProgressPart,
  progressPart,
  rankOrder,
  requestsPart,
  round1,
  SCORE_PARTS,
  type CombinedScore,
  type Parts,
  type ScorePart,
  type ScoreWeights,
} from './score';
import { loadScope, measurePeriod, type Measures, type PeriodMeasures, type ScopeData } from './score-measures';

export { monthPeriod, previousPeriod, weekPeriod, type Period } from './period';

export type RankLevel = 'street' | 'courtyard' | 'cadre';
export const RANK_LEVELS: readonly RankLevel[] = ['street', 'courtyard', 'cadre'];

/** One ranked street office, courtyard or cadre. */
export interface RankRow {
  /** ObjectId of the street, courtyard or cadre. */
  id: string;
  name: string;
  /** The street office (of a courtyard; of a cadre's first courtyard in the scope). */
  streetName?: string;
  streetId?: string;
  /** A cadre's unit (单位). */
  unit?: string;
  /** A cadre's courtyards in the period (to list a courtyard's cadres). */
  courtyardIds?: string[];
  /** 0–100, one decimal; null: nothing measured (无数据). */
  score: number | null;
  /** Each 0–100, one decimal; null: nothing to measure in the period (—（本期无）). */
  parts: Parts;
  /** Parts with nothing to measure in the period. */
  unmeasured: ScorePart[];
  /** A courtyard with no project (its 项目进度 is 0: 无项目). */
  noProjects?: boolean;
  /** 1 = best; equal scores share a rank (1, 2, 2, 4); rows without a score come last. */
  rank: number;
  /** Against the previous published ranking (set only on published rows): its rank and score there … */
  previousRank?: number;
  previousScore?: number | null;
  /** … or absent there: 新. Neither set: nothing to compare with (a first publication, a running period). */
  isNew?: boolean;
  /** Late items at the period's end (now, while it runs): projects, requests, milestones. */
  overdue: number;
  /** The same by kind. */
  overdueByKind: OverdueCount;
}

export interface RankingOptions {
  level: RankLevel;
  period: Period;
  /** Rank only this street office's courtyards / cadres (for level 'street': only this street). */
  streetId?: string;
  /** Rank only this courtyard (level 'courtyard') or its cadres (level 'cadre'). */
  courtyardId?: string;
  /** Request deadlines are stored already worked out with it (dueAt); taken for the contract's symmetry with the jobs. */
  calendar?: WorkingCalendar;
  /** Default: DEFAULT_SCORE_WEIGHTS (the jobs pass config.scoreWeights). */
  weights?: ScoreWeights;
  /** The clock: a running period is judged as of now. */
  now: Date;
}

type Unranked = Omit<RankRow, 'rank' | 'previousRank' | 'previousScore' | 'isNew'>;

/**
 * Ranks the street offices, courtyards or cadres of a scope (the district, `streetId` or
 * `courtyardId`) for `period`, judged at the period's end (or `now` while it runs). Ranks
 * are within the scope; best first, equal scores by name, rows without a score last.
 */
export async function computeRanking(models: Models, opts: RankingOptions): Promise<RankRow[]> {
  return (await computeRankingDetail(models, opts)).rows;
}

/** The ranking with what it was computed from (for the progress table). */
export interface RankingDetail {
  rows: RankRow[];
  scope: ScopeData;
  /** What the period measured, per courtyard and cadre. */
  current: PeriodMeasures;
}

/** {@link computeRanking}, keeping the scope and the period's measures. */
export async function computeRankingDetail(models: Models, opts: RankingOptions): Promise<RankingDetail> {
  const measured = await measureRanking(models, opts);
  return { rows: rankLevel(measured, opts.level, opts.weights), scope: measured.scope, current: measured.current };
}

/**
 * Several levels ranked from one pass over the scope's data: the district's street ranking
 * is the mean of its courtyards' scores, so with the courtyard ranking it needs no second
 * reading of the district. Each level's rows are those {@link computeRanking} gives.
 */
export async function computeRankings<L extends RankLevel>(
  models: Models,
  opts: Omit<RankingOptions, 'level'> & { levels: readonly L[] },
): Promise<Record<L, RankRow[]>> {
  const measured = await measureRanking(models, opts);
  const out = {} as Record<L, RankRow[]>;
  for (const level of opts.levels) out[level] = rankLevel(measured, level, opts.weights);
  return out;
}

/** What a ranking of a scope is computed from: the period's measures and what was overdue at its end. */
interface RankingMeasures {
  scope: ScopeData;
  current: PeriodMeasures;
  overdue: Awaited<ReturnType<typeof countOverdue>>;
}

async function measureRanking(models: Models, opts: Omit<RankingOptions, 'level'>): Promise<RankingMeasures> {
  const asOf = new Date(Math.min(opts.period.end.getTime(), opts.now.getTime()));
  const scope = await loadScope(models, opts, opts.period, asOf);
  const [current, overdue] = await Promise.all([measurePeriod(models, scope, opts.period, opts.now), countOverdue(models, opts, asOf)]);
  return { scope, current, overdue };
}

/** One level's rows, ranked. */
function rankLevel(measured: RankingMeasures, level: RankLevel, weights: ScoreWeights = DEFAULT_SCORE_WEIGHTS): RankRow[] {
  const { scope, current, overdue } = measured;
  const overdueOf = (id: string) => (level === 'cadre' ? overdue.cadres : overdue.courtyards).get(id) ?? NO_OVERDUE;
  return rankOrder(levelRows(scope, current, level, weights, overdueOf));
}

/** The score of one courtyard (orgs measured) or one cadre from what was measured. */
export function scoreOf(m: Measures, weights: ScoreWeights): CombinedScore {
  const courtyard = m.orgs !== undefined;
  return combineParts(
    {
      progress: courtyard ? progressPart(m.percents) : ownProgressPart(m.percents),
      onTime: onTimePart(m.onTime, m.timed),
      requests: requestsPart(m.fedBackOnTime, m.closed, m.due),
      visits: courtyard ? courtyardVisitsPart(m.weekHours) : cadreVisitsPart(m.visitPairs.met, m.visitPairs.total),
      orgs: m.orgs ? orgsPart(m.orgs.party, m.orgs.selfGov, m.orgs.volunteerTeams) : undefined,
    },
    weights,
  );
}

function rounded(parts: Parts): Parts {
  const out = {} as Parts;
  for (const p of SCORE_PARTS) out[p] = parts[p] === null ? null : round1(parts[p]);
  return out;
}

const roundOrNull = (x: number | null | undefined) => (x === null || x === undefined ? null : round1(x));

function levelRows(scope: ScopeData, measures: PeriodMeasures, level: RankLevel, weights: ScoreWeights, overdueOf: (id: string) => OverdueCount): Unranked[] {
  const streetName = (id: string) => scope.streets.get(id)?.name;
  const courtyardScores = new Map(scope.courtyards.map((c) => [c.id, scoreOf(measures.courtyards.get(c.id)!, weights)]));

  if (level === 'courtyard') {
    return scope.courtyards.map((c) => {
      const s = courtyardScores.get(c.id)!;
      const o = overdueOf(c.id);
      return {
        id: c.id,
        name: c.name,
        streetId: c.streetId,
        streetName: streetName(c.streetId),
        score: roundOrNull(s.score),
        parts: rounded(s.parts),
        unmeasured: s.unmeasured,
        noProjects: measures.courtyards.get(c.id)!.percents.length === 0,
        overdue: o.total,
        overdueByKind: { ...o },
      };
    });
  }

  if (level === 'cadre') {
    const streetOfCourtyard = new Map(scope.courtyards.map((c) => [c.id, c.streetId]));
    return scope.cadres.map((c) => {
      const s = scoreOf(measures.cadres.get(c.id)!, weights);
      const streetId = streetOfCourtyard.get(c.courtyardIds[0]!);
      const o = overdueOf(c.id);
      return {
        id: c.id,
        name: c.name,
        unit: c.unit,
        streetId,
        streetName: streetId ? streetName(streetId) : undefined,
        courtyardIds: c.courtyardIds,
        score: roundOrNull(s.score),
        parts: rounded(s.parts),
        unmeasured: s.unmeasured,
        overdue: o.total,
        overdueByKind: { ...o },
      };
    });
  }

  // A street office: the mean of its courtyards' scores, part by part over the courtyards where the part was measured.
  const rows: Unranked[] = [];
  for (const street of scope.streets.values()) {
    const yards = scope.courtyards.filter((c) => c.streetId === street.id);
    if (yards.length === 0) continue;
    const scores = yards.map((c) => courtyardScores.get(c.id)!);
    const parts = {} as Parts;
    for (const p of SCORE_PARTS) parts[p] = mean(scores.flatMap((s) => (s.parts[p] === null ? [] : [s.parts[p]!]))) ?? null;
    const o = { ...NO_OVERDUE };
    for (const c of yards) for (const k of ['project', 'request', 'milestone', 'total'] as const) o[k] += overdueOf(c.id)[k];
    rows.push({
      id: street.id,
      name: street.name,
      streetId: street.id,
      streetName: street.name,
      score: roundOrNull(mean(scores.flatMap((s) => (s.score === null ? [] : [s.score])))),
      parts: rounded(parts),
      unmeasured: SCORE_PARTS.filter((p) => parts[p] === null),
      overdue: o.total,
      overdueByKind: o,
    });
  }
  return rows;
}
