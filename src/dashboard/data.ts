/**
 * The overview the dashboard page shows (GET /dashboard/api/data): the last published week —
 * exactly what the weekly push said (src/services/snapshots.ts) — for the headline, the
 * chart, the courtyard tiles and the table; the running week beside it as progress
 * (src/services/headline.ts); and what is late now (src/services/overdue.ts). So the page,
 * /排名, /查询 and the pushes show the same figures.
 */
import type { Models } from '../db/models';
import { beijingDayKey } from '../services/beijing-time';
import type { WorkingCalendar } from '../services/calendar';
import { headline } from '../services/headline';
import { findOverdue, OVERDUE_KIND_LABELS, type OverdueItem } from '../services/overdue';
import { shortLabel } from '../services/period';
import type { RankRow } from '../services/ranking';
import { partText, SCORE_PART_NAMES, SCORE_PARTS, type ScorePart, type ScoreWeights } from '../services/score';
import { scopeLabel, scopeRef, type Place } from '../services/scope';
import { compareRows, loadSnapshot, rankChange, rowsIn, snapshotPeriod } from '../services/snapshots';
import type { CourtyardTile, DashboardData, OverdueEntry, ScoreRow } from './types';

/** How many late items the overview lists; the rest are only counted. */
export const OVERDUE_LIMIT = 300;

export interface DashboardDataOptions {
  scope: Place;
  now: Date;
  calendar: WorkingCalendar;
  weights?: ScoreWeights;
  /** When the link expires (shown on the page). */
  linkExpiresAt: Date;
}

function scoreRow(r: RankRow): ScoreRow {
  return { id: r.id, name: r.name, score: r.score, previousScore: r.previousScore, rank: r.rank, previousRank: r.previousRank, change: rankChange(r) };
}

function tile(r: RankRow): CourtyardTile {
  return {
    ...scoreRow(r),
    rank: r.rank,
    streetId: r.streetId ?? '',
    streetName: r.streetName ?? '',
    parts: r.parts,
    unmeasured: r.unmeasured as ScorePart[],
    noProjects: r.noProjects,
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

/** The running week's parts, as progress: '72.5', '—（本期无）', '0.0（无项目）'. */
export function runningParts(row: Pick<RankRow, 'parts'> & { noProjects?: boolean }): DashboardData['running']['parts'] {
  return SCORE_PARTS.map((key) => ({ key, label: SCORE_PART_NAMES[key], text: partText(row, key) }));
}

/** Everything the page shows for `scope` as of `now`. */
export async function buildDashboardData(models: Models, opts: DashboardDataOptions): Promise<DashboardData> {
  const { scope, now, weights } = opts;
  const ref = scopeRef(scope);
  const [h, overdue] = await Promise.all([headline(models, scope, now, weights), findOverdue(models, { scope, now })]);
  const published = h.published;
  const snapshot = published?.snapshot ?? null;
  const previous = snapshot ? await loadSnapshot(models, snapshot.previous) : null;
  const currentLabel = snapshot ? shortLabel(snapshotPeriod(snapshot)) : h.running.label;
  const previousLabel = previous ? `上一周 ${shortLabel(snapshotPeriod(previous))}` : snapshot ? '上一周（未发布）' : '已发布（尚无）';

  // A courtyard is ranked among its street's courtyards, a street among the district's streets.
  const yardScope = scope.kind === 'district' ? {} : { streetId: ref.streetId };
  const yardRows = snapshot ? compareRows(rowsIn(snapshot, 'courtyard', yardScope), previous, 'courtyard', yardScope) : h.running.courtyards;
  let courtyards = yardRows.map(tile);
  let chart: DashboardData['chart'];
  let summary: DashboardData['summary'];
  if (scope.kind === 'district') {
    // Before any publication, the running week's streets (labelled as running, no arrows).
    const streets = snapshot ? compareRows(rowsIn(snapshot, 'street'), previous, 'street') : h.running.streets;
    chart = { title: '各街道综合得分', rows: streets.map(scoreRow), currentLabel, previousLabel };
    summary = published ? { score: published.row.score, previousScore: published.row.previousScore } : {};
  } else if (scope.kind === 'street') {
    chart = { title: `${scope.street.name}各楼院综合得分`, rows: yardRows.map(scoreRow), currentLabel, previousLabel };
    summary = published
      ? { score: published.row.score, previousScore: published.row.previousScore, rank: published.row.rank, of: published.of, peers: published.peers, change: rankChange({ rank: published.row.rank ?? 0, ...published.row }) }
      : {};
  } else {
    const id = ref.courtyardId!;
    const own = yardRows.find((r) => r.id === id);
    const before = previous ? rowsIn(previous, 'courtyard', yardScope).find((r) => r.id === id) : undefined;
    courtyards = courtyards.filter((c) => c.id === id);
    chart = {
      title: `${scope.courtyard.name}得分构成`,
      rows: SCORE_PARTS.map((p) => ({
        id: p,
        name: own && own.parts[p] === null ? `${SCORE_PART_NAMES[p]}（本期无）` : SCORE_PART_NAMES[p],
        score: own?.parts[p] ?? null,
        previousScore: before?.parts[p] ?? undefined,
      })),
      currentLabel,
      previousLabel,
    };
    summary = published
      ? { score: published.row.score, previousScore: published.row.previousScore, rank: published.row.rank, of: published.of, peers: published.peers, change: rankChange({ rank: published.row.rank ?? 0, ...published.row }) }
      : {};
  }

  return {
    scope: { kind: scope.kind, label: scopeLabel(scope) },
    generatedAt: now.toISOString(),
    linkExpires: beijingDayKey(opts.linkExpiresAt),
    period: snapshot
      ? { label: `已发布：${currentLabel}${snapshot.version > 1 ? `（第${snapshot.version}版）` : ''}`, previousLabel, published: true, version: snapshot.version }
      : { label: `${h.running.label}（周排名尚未发布）`, previousLabel, published: false },
    summary,
    running: { label: h.running.label, parts: runningParts(h.running.row) },
    chart,
    courtyards: courtyards.sort(byStreetThenName),
    overdue: { items: overdue.slice(0, OVERDUE_LIMIT).map(overdueEntry), total: overdue.length },
    parts: SCORE_PARTS.map((key) => ({ key, label: SCORE_PART_NAMES[key] })),
  };
}
