/**
 * Rankings of street offices, courtyards and cadres by the campaign score
 * (src/services/score.ts), with the change against the previous period. The data comes from
 * src/services/score-measures.ts (indexed, period-bounded aggregations).
 */
import type { Models } from '../db/models';
import type { WorkingCalendar } from './calendar';
import { previousPeriod, type Period } from './period';
import {
  combineParts,
  DEFAULT_SCORE_WEIGHTS,
  mean,
  onTimePart,
  orgsPart,
  progressPart,
  requestsPart,
  round1,
  SCORE_PARTS,
  visitsPart,
  type CombinedScore,
  type ScorePart,
  type ScoreWeights,
} from './score';
import { countOverdue, loadScope, measurePeriod, type Measures, type OverdueCounts, type PeriodMeasures, type ScopeData } from './score-measures';

export { monthPeriod, previousPeriod, weekPeriod, type Period } from './period';

export type RankLevel = 'street' | 'courtyard' | 'cadre';

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
  /** 0–100, one decimal. */
  score: number;
  /** Each 0–100, one decimal; an unmeasured part shows the score (its weight went to the others). */
  parts: Record<ScorePart, number>;
  /** Parts with nothing to measure in the period (no requests due, …), to show as "—"; always set by computeRanking. */
  unmeasured?: ScorePart[];
  /** 1 = best; equal scores share a rank (1, 2, 2, 4). */
  rank: number;
  /** Rank and score in the previous period (last week / last month), when ranked then. */
  previousRank?: number;
  previousScore?: number;
  /** Overdue items now: open projects past their deadline and requests without feedback past due. */
  overdue: number;
}

export interface RankingOptions {
  level: RankLevel;
  period: Period;
  /** Rank only this street office's courtyards / cadres (for level 'street': only this street). */
  streetId?: string;
  /** Rank only this courtyard (level 'courtyard') or its cadres (level 'cadre'). */
  courtyardId?: string;
  /** Request deadlines are stored already worked out with it (dueAt); taken for the contract's symmetry with the jobs. */
  calendar: WorkingCalendar;
  /** Default: DEFAULT_SCORE_WEIGHTS (the jobs pass config.scoreWeights). */
  weights?: ScoreWeights;
  /** The clock: a running period is judged as of now. */
  now: Date;
}

type Unranked = Omit<RankRow, 'rank' | 'previousRank' | 'previousScore'>;

/**
 * Ranks the street offices, courtyards or cadres of a scope (the district, `streetId` or
 * `courtyardId`) for `period`, judged at the period's end (or `now` while it runs), and
 * adds their rank and score in the previous period. Ranks are within the scope.
 * Sorted best first; equal scores by name.
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

/** What a ranking of a scope is computed from: this period, the one before, and what is overdue now. */
interface RankingMeasures {
  scope: ScopeData;
  current: PeriodMeasures;
  previous: PeriodMeasures;
  overdue: OverdueCounts;
}

async function measureRanking(models: Models, opts: Omit<RankingOptions, 'level'>): Promise<RankingMeasures> {
  const scope = await loadScope(models, opts);
  const [current, previous, overdue] = await Promise.all([
    measurePeriod(models, scope, opts.period, opts.now),
    measurePeriod(models, scope, previousPeriod(opts.period), opts.now),
    countOverdue(models, scope, opts.now),
  ]);
  return { scope, current, previous, overdue };
}

/** One level's rows, ranked, with their rank and score in the previous period. */
function rankLevel(measured: RankingMeasures, level: RankLevel, weights: ScoreWeights = DEFAULT_SCORE_WEIGHTS): RankRow[] {
  const { scope, current, previous, overdue } = measured;
  const overdueOf = (id: string) => (level === 'cadre' ? overdue.cadres : overdue.courtyards).get(id) ?? 0;
  const rows = rankRows(levelRows(scope, current, level, weights, overdueOf));
  const before = new Map(rankRows(levelRows(scope, previous, level, weights, () => 0)).map((r) => [r.id, r]));
  for (const row of rows) {
    const then = before.get(row.id);
    if (then) {
      row.previousRank = then.rank;
      row.previousScore = then.score;
    }
  }
  return rows;
}

/** The score of one courtyard or cadre from what was measured. */
export function scoreOf(m: Measures, weights: ScoreWeights): CombinedScore {
  return combineParts(
    {
      progress: progressPart(m.percents),
      onTime: onTimePart(m.onTime, m.timed),
      requests: requestsPart(m.fedBackOnTime, m.closed, m.due),
      visits: visitsPart(m.visitShares),
      orgs: m.orgs ? orgsPart(m.orgs.party, m.orgs.selfGov, m.orgs.volunteerTeams) : undefined,
    },
    weights,
  );
}

function rounded(parts: Record<ScorePart, number>): Record<ScorePart, number> {
  const out = {} as Record<ScorePart, number>;
  for (const p of SCORE_PARTS) out[p] = round1(parts[p]);
  return out;
}

function levelRows(
  scope: ScopeData,
  measures: PeriodMeasures,
  level: RankLevel,
  weights: ScoreWeights,
  overdueOf: (id: string) => number,
): Unranked[] {
  const streetName = (id: string) => scope.streets.get(id)?.name;
  const courtyardScores = new Map(scope.courtyards.map((c) => [c.id, scoreOf(measures.courtyards.get(c.id)!, weights)]));

  if (level === 'courtyard') {
    return scope.courtyards.map((c) => {
      const s = courtyardScores.get(c.id)!;
      return {
        id: c.id,
        name: c.name,
        streetId: c.streetId,
        streetName: streetName(c.streetId),
        score: round1(s.score),
        parts: rounded(s.parts),
        unmeasured: s.unmeasured,
        overdue: overdueOf(c.id),
      };
    });
  }

  if (level === 'cadre') {
    const streetOfCourtyard = new Map(scope.courtyards.map((c) => [c.id, c.streetId]));
    return scope.cadres.map((c) => {
      const s = scoreOf(measures.cadres.get(c.id)!, weights);
      const streetId = streetOfCourtyard.get(c.courtyardIds[0]!);
      return {
        id: c.id,
        name: c.name,
        unit: c.unit,
        streetId,
        streetName: streetId ? streetName(streetId) : undefined,
        score: round1(s.score),
        parts: rounded(s.parts),
        unmeasured: s.unmeasured,
        overdue: overdueOf(c.id),
      };
    });
  }

  // A street office: the mean of its courtyards, part by part.
  const rows: Unranked[] = [];
  for (const street of scope.streets.values()) {
    const yards = scope.courtyards.filter((c) => c.streetId === street.id);
    if (yards.length === 0) continue;
    const scores = yards.map((c) => courtyardScores.get(c.id)!);
    const parts = {} as Record<ScorePart, number>;
    for (const p of SCORE_PARTS) parts[p] = mean(scores.map((s) => s.parts[p]))!;
    rows.push({
      id: street.id,
      name: street.name,
      streetId: street.id,
      streetName: street.name,
      score: round1(mean(scores.map((s) => s.score))!),
      parts: rounded(parts),
      unmeasured: SCORE_PARTS.filter((p) => scores.every((s) => s.unmeasured.includes(p))),
      overdue: yards.reduce((n, c) => n + overdueOf(c.id), 0),
    });
  }
  return rows;
}

/** Best first, equal scores by name; equal scores share a rank. */
function rankRows(rows: Unranked[]): RankRow[] {
  const sorted = [...rows].sort((a, b) => b.score - a.score || a.name.localeCompare(b.name, 'zh-Hans-CN'));
  const ranked: RankRow[] = [];
  sorted.forEach((row, i) => {
    const prev = ranked[i - 1];
    ranked.push({ ...row, rank: prev && prev.score === row.score ? prev.rank : i + 1 });
  });
  return ranked;
}
