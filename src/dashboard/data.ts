/**
 * The overview the dashboard page shows (GET /dashboard/api/data): this week's ranking with
 * last week's values, every courtyard of the scope with its score, and what is late. Built
 * from the ranking service (src/services/ranking.ts) and findOverdue
 * (src/services/overdue.ts), so the page, /排名 and /逾期 show the same figures.
 */
import type { Models } from '../db/models';
import { beijingDayKey } from '../services/beijing-time';
import type { WorkingCalendar } from '../services/calendar';
import { findOverdue, OVERDUE_KIND_LABELS, type OverdueItem } from '../services/overdue';
import { computeRanking, computeRankings, previousPeriod, weekPeriod, type RankRow } from '../services/ranking';
import { SCORE_PART_NAMES, SCORE_PARTS, type ScoreWeights } from '../services/score';
import { scopeLabel } from '../services/scope';
import type { ResolvedScope } from './scope';
import type { CourtyardTile, DashboardData, OverdueEntry, ScoreRow } from './types';

/** How many late items the overview lists; the rest are only counted. */
export const OVERDUE_LIMIT = 300;

export interface DashboardDataOptions {
  scope: ResolvedScope;
  now: Date;
  calendar: WorkingCalendar;
  weights?: ScoreWeights;
  /** When the link expires (shown on the page). */
  linkExpiresAt: Date;
  /**
   * The district's street ranking when the caller already has it (a district overview
   * computed moments ago): a street's link then ranks only its own courtyards.
   */
  streetRanking?: ScoreRow[];
}

function scoreRow(r: ScoreRow): ScoreRow {
  return { id: r.id, name: r.name, score: r.score, previousScore: r.previousScore, rank: r.rank, previousRank: r.previousRank };
}

function tile(r: RankRow): CourtyardTile {
  return {
    ...scoreRow(r),
    rank: r.rank,
    streetId: r.streetId ?? '',
    streetName: r.streetName ?? '',
    parts: r.parts,
    unmeasured: r.unmeasured ?? [],
    overdue: r.overdue,
  };
}

function overdueEntry(item: OverdueItem): OverdueEntry {
  return {
    kind: item.kind,
    kindLabel: OVERDUE_KIND_LABELS[item.kind],
    no: item.no,
    title: item.title,
    courtyardId: item.courtyardId,
    courtyardName: item.courtyardName,
    streetName: item.streetName,
    responsible: item.responsible.names,
    daysLate: item.daysLate,
    since: beijingDayKey(item.since),
  };
}

const byStreetThenName = (a: CourtyardTile, b: CourtyardTile) =>
  a.streetName.localeCompare(b.streetName, 'zh-Hans-CN') || a.name.localeCompare(b.name, 'zh-Hans-CN');

/** Everything the page shows for `scope` as of `now` (this week so far, against last week). */
export async function buildDashboardData(models: Models, opts: DashboardDataOptions): Promise<DashboardData> {
  const { scope, now, calendar, weights } = opts;
  const period = weekPeriod(now);
  const rank = (extra: { level: 'street' | 'courtyard'; streetId?: string; courtyardId?: string; previous?: boolean }) =>
    computeRanking(models, { level: extra.level, streetId: extra.streetId, courtyardId: extra.courtyardId, period: extra.previous ? previousPeriod(period) : period, calendar, now, weights });

  // A courtyard is ranked among its street's courtyards, a street among the district's streets.
  const streetId = scope.kind === 'street' ? String(scope.street._id) : scope.kind === 'courtyard' ? String(scope.courtyard.street) : undefined;
  // The district's two rankings come from one pass over its data.
  const rankings: Promise<[RankRow[], ScoreRow[]]> =
    scope.kind === 'district'
      ? computeRankings(models, { levels: ['courtyard', 'street'], period, calendar, now, weights }).then((r) => [r.courtyard, r.street])
      : Promise.all([rank({ level: 'courtyard', streetId }), scope.kind === 'courtyard' ? [] : (opts.streetRanking ?? rank({ level: 'street' }))]);
  const [[yardRows, streetRows], overdue, lastWeekOfCourtyard] = await Promise.all([
    rankings,
    findOverdue(models, { scope, now, calendar }),
    scope.kind === 'courtyard' ? rank({ level: 'courtyard', courtyardId: String(scope.courtyard._id), previous: true }) : Promise.resolve([]),
  ]);

  let courtyards = yardRows.map(tile);
  let chart: DashboardData['chart'];
  let summary: DashboardData['summary'] = {};
  if (scope.kind === 'district') {
    chart = { title: '各街道综合得分', rows: streetRows.map(scoreRow) };
    const scores = courtyards.map((c) => c.score);
    const before = courtyards.flatMap((c) => (c.previousScore === undefined ? [] : [c.previousScore]));
    const mean = (xs: number[]) => (xs.length ? Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 10) / 10 : undefined);
    summary = { score: mean(scores), previousScore: mean(before) };
  } else if (scope.kind === 'street') {
    chart = { title: `${scope.street.name}各楼院综合得分`, rows: yardRows.map(scoreRow) };
    const own = streetRows.find((r) => r.id === String(scope.street._id));
    summary = { score: own?.score, previousScore: own?.previousScore, rank: own?.rank, of: streetRows.length, peers: '全区街道' };
  } else {
    const id = String(scope.courtyard._id);
    const own = yardRows.find((r) => r.id === id);
    const before = lastWeekOfCourtyard[0];
    courtyards = courtyards.filter((c) => c.id === id);
    chart = {
      title: `${scope.courtyard.name}得分构成`,
      rows: SCORE_PARTS.map((p) => ({
        id: p,
        name: own?.unmeasured?.includes(p) ? `${SCORE_PART_NAMES[p]}（本周无数据）` : SCORE_PART_NAMES[p],
        score: own?.parts[p] ?? 0,
        previousScore: before?.parts[p],
      })),
    };
    summary = { score: own?.score, previousScore: own?.previousScore, rank: own?.rank, of: yardRows.length, peers: `${scope.street?.name ?? '本街道'}楼院` };
  }

  return {
    scope: { kind: scope.kind, label: scopeLabel(scope) },
    generatedAt: now.toISOString(),
    linkExpires: beijingDayKey(opts.linkExpiresAt),
    period: { label: `本周（${period.label}）`, previousLabel: `上周（${previousPeriod(period).label}）` },
    summary,
    chart,
    courtyards: courtyards.sort(byStreetThenName),
    overdue: { items: overdue.slice(0, OVERDUE_LIMIT).map(overdueEntry), total: overdue.length },
    parts: SCORE_PARTS.map((key) => ({ key, label: SCORE_PART_NAMES[key] })),
  };
}
