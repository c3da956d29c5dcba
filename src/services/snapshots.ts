/**
 * Published rankings (src/db/models/ranking-snapshot.ts): publishing a period once, exactly
 * once across processes; re-publishing it as a new, audited version; and reading what was
 * published for any scope, with ↑↓ against the previous published ranking.
 *
 * Every reader of a finished period goes through here — `/排名 上周`, the weekly and monthly
 * pushes (street groups get their part of the district's snapshot), the dashboard's
 * headline and the Excel's last-week columns — so all of them show what leaders were sent.
 */
import { Types } from 'mongoose';
import { isDuplicateKey } from '../db/duplicate-key';
import type { Models, RankingSnapshot, SnapshotRow } from '../db/models';
import type { Audit } from './audit';
import { beijingMonthKey } from './beijing-time';
import { monthScores } from './inspection-scores';
import { monthPeriod, weekPeriod, type Period } from './period';
import { computeRankings, RANK_LEVELS, type RankLevel, type RankRow } from './ranking';
import type { ScopeRef } from './scope';
import { DEFAULT_SCORE_WEIGHTS, rankOrder, type Parts, type ScorePart, type ScoreWeights } from './score';

export type PeriodKind = 'week' | 'month';
export type SnapshotLevel = RankLevel | 'inspection';

/** The period a snapshot is of. */
export function snapshotPeriod(s: Pick<RankingSnapshot, 'kind' | 'periodStart'>): Period {
  return s.kind === 'week' ? weekPeriod(s.periodStart) : monthPeriod(s.periodStart);
}

function kindOf(period: Period): PeriodKind {
  return period.kind === 'month' ? 'month' : 'week';
}

/** The latest version of `period`'s snapshot (or version `version`), or null when it was never published. */
export async function findSnapshot(models: Models, period: Period, version?: number): Promise<RankingSnapshot | null> {
  const filter = { kind: kindOf(period), periodStart: period.start, ...(version ? { version } : {}) };
  return models.RankingSnapshot.findOne(filter).sort({ version: -1 }).lean<RankingSnapshot>();
}

/** The latest version of the last period of `kind` published by `at` (the headline's). */
export async function latestSnapshot(models: Models, kind: PeriodKind, at: Date): Promise<RankingSnapshot | null> {
  return models.RankingSnapshot.findOne({ kind, periodEnd: { $lte: at }, publishedAt: { $lte: at } })
    .sort({ periodStart: -1, version: -1 })
    .lean<RankingSnapshot>();
}

/** The versions of a period, oldest first (number, when, by whom, why). */
export async function snapshotVersions(models: Models, period: Period): Promise<Pick<RankingSnapshot, 'version' | 'publishedAt' | 'by' | 'byName' | 'reason'>[]> {
  return models.RankingSnapshot.find({ kind: kindOf(period), periodStart: period.start }, { version: 1, publishedAt: 1, by: 1, byName: 1, reason: 1 })
    .sort({ version: 1 })
    .lean();
}

function toRow(level: RankLevel, r: RankRow): SnapshotRow {
  return {
    level,
    id: r.id,
    name: r.name,
    ...(r.streetId ? { streetId: r.streetId } : {}),
    ...(r.streetName ? { streetName: r.streetName } : {}),
    ...(r.unit ? { unit: r.unit } : {}),
    ...(r.courtyardIds ? { courtyardIds: r.courtyardIds } : {}),
    score: r.score,
    parts: { ...r.parts },
    unmeasured: [...r.unmeasured],
    ...(r.noProjects ? { noProjects: true } : {}),
    rank: r.rank,
    overdue: { ...r.overdueByKind },
  };
}

/** Everything a period's snapshot holds, computed from what was true in it (nothing written). */
async function snapshotRows(models: Models, period: Period, weights: ScoreWeights, now: Date): Promise<SnapshotRow[]> {
  const ranked = await computeRankings(models, { levels: RANK_LEVELS, period, weights, now });
  const rows = RANK_LEVELS.flatMap((level) => ranked[level].map((r) => toRow(level, r)));
  if (period.kind === 'month') {
    const { scored } = await monthScores(models, beijingMonthKey(period.start));
    const inspection = rankOrder(scored.map((s) => ({ id: String(s.streetId), name: s.name, score: s.average, scorers: s.scores.length })));
    for (const s of inspection) rows.push({ level: 'inspection', id: s.id, name: s.name, streetId: s.id, score: s.score, parts: {}, unmeasured: [], rank: s.rank, overdue: { project: 0, request: 0, milestone: 0, total: 0 }, scorers: s.scorers });
  }
  return rows;
}

/** The snapshot a new publication of `period` compares with: the latest version of the last period published before it. */
async function previousOf(models: Models, period: Period): Promise<Types.ObjectId | null> {
  const prev = await models.RankingSnapshot.findOne({ kind: kindOf(period), periodStart: { $lt: period.start } }, { _id: 1 })
    .sort({ periodStart: -1, version: -1 })
    .lean();
  return prev?._id ?? null;
}

export interface PublishOptions {
  period: Period;
  weights?: ScoreWeights;
  now: Date;
  /** The job or the userid publishing. */
  by: string;
  byName?: string;
}

/**
 * Publishes `period` unless it already is (or had no courtyard on the roster: an empty
 * ranking is not published): returns its latest version either way, and whether this call
 * created it. Two processes publishing at once write one snapshot: the
 * unique (kind, periodStart, version) index lets one insert through, the other reads it.
 */
export async function publishPeriod(models: Models, opts: PublishOptions): Promise<{ snapshot: RankingSnapshot; created: boolean }> {
  const existing = await findSnapshot(models, opts.period);
  if (existing) return { snapshot: existing, created: false };
  const weights = opts.weights ?? DEFAULT_SCORE_WEIGHTS;
  const [rows, previous] = await Promise.all([snapshotRows(models, opts.period, weights, opts.now), previousOf(models, opts.period)]);
  const doc = {
    kind: kindOf(opts.period),
    periodStart: opts.period.start,
    periodEnd: opts.period.end,
    label: opts.period.label,
    version: 1,
    publishedAt: opts.now,
    asOf: opts.period.end,
    weights,
    rows,
    previous,
    by: opts.by,
    ...(opts.byName ? { byName: opts.byName } : {}),
    createdAt: opts.now,
  };
  // Nothing on the roster in that period: nothing to publish (the next publication is then the first, without arrows).
  if (!rows.some((r) => r.level === 'courtyard')) return { snapshot: { ...doc, _id: new Types.ObjectId() }, created: false };
  try {
    const created = await models.RankingSnapshot.create(doc);
    return { snapshot: created.toObject() as RankingSnapshot, created: true };
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    const winner = await findSnapshot(models, opts.period);
    if (!winner) throw err;
    return { snapshot: winner, created: false };
  }
}

/** What a preview (dry run) shows: the snapshot a publication would write now, not stored. */
export async function previewPeriod(models: Models, opts: PublishOptions): Promise<RankingSnapshot> {
  const existing = await findSnapshot(models, opts.period);
  if (existing) return existing;
  const weights = opts.weights ?? DEFAULT_SCORE_WEIGHTS;
  const [rows, previous] = await Promise.all([snapshotRows(models, opts.period, weights, opts.now), previousOf(models, opts.period)]);
  return {
    // Never stored: an id only so that it has the shape of a published one.
    _id: new Types.ObjectId(),
    kind: kindOf(opts.period),
    periodStart: opts.period.start,
    periodEnd: opts.period.end,
    label: opts.period.label,
    version: 1,
    publishedAt: opts.now,
    asOf: opts.period.end,
    weights,
    rows,
    previous,
    by: opts.by,
    createdAt: opts.now,
  };
}

/** The UserError-free outcome of a re-publication: the new version, or the one someone else made at the same moment. */
export type RepublishResult = { kind: 'done'; snapshot: RankingSnapshot; before: RankingSnapshot } | { kind: 'not-published' } | { kind: 'raced'; snapshot: RankingSnapshot };

/**
 * Publishes `period` again, computed from the history as it stands now (late records,
 * corrections), as version n + 1 with `reason`, through `audit` (who, when, why). The old
 * versions stay. Of two re-publications at once one wins; the other learns which.
 */
export async function republishPeriod(
  models: Models,
  audit: Audit,
  opts: PublishOptions & { reason: string },
): Promise<RepublishResult> {
  const before = await findSnapshot(models, opts.period);
  if (!before) return { kind: 'not-published' };
  const weights = opts.weights ?? DEFAULT_SCORE_WEIGHTS;
  const rows = await snapshotRows(models, opts.period, weights, opts.now);
  try {
    const created = await audit.create(models.RankingSnapshot, {
      kind: before.kind,
      periodStart: before.periodStart,
      periodEnd: before.periodEnd,
      label: before.label,
      version: before.version + 1,
      publishedAt: opts.now,
      asOf: before.asOf,
      weights,
      rows,
      // The same comparison as the version it corrects.
      previous: before.previous,
      by: opts.by,
      ...(opts.byName ? { byName: opts.byName } : {}),
      reason: opts.reason,
    });
    const snapshot = created.toObject() as RankingSnapshot;
    // A retry of the same message finds its own version.
    if (snapshot.version !== before.version + 1) return { kind: 'done', snapshot, before: (await findSnapshot(models, opts.period, snapshot.version - 1)) ?? before };
    return { kind: 'done', snapshot, before };
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    return { kind: 'raced', snapshot: (await findSnapshot(models, opts.period))! };
  }
}

export async function loadSnapshot(models: Models, id: Types.ObjectId | null | undefined): Promise<RankingSnapshot | null> {
  return id ? models.RankingSnapshot.findById(id).lean<RankingSnapshot>() : null;
}

function fromRow(r: SnapshotRow): RankRow {
  return {
    id: r.id,
    name: r.name,
    streetId: r.streetId,
    streetName: r.streetName,
    unit: r.unit,
    courtyardIds: r.courtyardIds,
    score: r.score,
    parts: r.parts as Parts,
    unmeasured: r.unmeasured as ScorePart[],
    noProjects: r.noProjects,
    rank: r.rank,
    overdue: r.overdue.total,
    overdueByKind: { ...r.overdue },
  };
}

/**
 * The rows of `level` within `scope`, ranked among themselves as a push to that scope ranks
 * them: streets across the district; courtyards of the district, of a street (a courtyard's
 * scope: its street's); cadres of the district, a street, or a courtyard.
 */
export function rowsIn(snapshot: Pick<RankingSnapshot, 'rows'>, level: SnapshotLevel, scope: ScopeRef = {}): RankRow[] {
  const rows = snapshot.rows.filter((r) => {
    if (r.level !== level) return false;
    if (level === 'street' || level === 'inspection') return true;
    if (level === 'cadre' && scope.courtyardId) return (r.courtyardIds ?? []).includes(scope.courtyardId);
    return !scope.streetId || r.streetId === scope.streetId;
  });
  // Ranked within the scope: equal to the snapshot's own ranks for the district.
  return rankOrder(rows.map(fromRow));
}

/**
 * {@link rowsIn} with ↑↓ against the snapshot it was published against (`previous`): a row
 * ranked there gets its rank and score then, one absent is new; without a previous snapshot
 * (a deployment's first) no row carries an arrow.
 */
export function compareRows(rows: RankRow[], previous: Pick<RankingSnapshot, 'rows'> | null, level: SnapshotLevel, scope: ScopeRef = {}): RankRow[] {
  if (!previous) return rows;
  const before = new Map(rowsIn(previous, level, scope).map((r) => [r.id, r]));
  return rows.map((r) => {
    const then = before.get(r.id);
    return then ? { ...r, previousRank: then.rank, previousScore: then.score } : { ...r, isNew: true };
  });
}

/** A published ranking as a scope sees it: the snapshot, its rows in the scope, and the rows' arrows. */
export interface PublishedRanking {
  snapshot: RankingSnapshot;
  previous: RankingSnapshot | null;
  rows: RankRow[];
}

export async function publishedRanking(models: Models, snapshot: RankingSnapshot, level: SnapshotLevel, scope: ScopeRef = {}): Promise<PublishedRanking> {
  const previous = await loadSnapshot(models, snapshot.previous);
  return { snapshot, previous, rows: compareRows(rowsIn(snapshot, level, scope), previous, level, scope) };
}

/** The inspection rows' scorer counts by street id (rowsIn drops the field). */
export function scorersOf(snapshot: Pick<RankingSnapshot, 'rows'>): Map<string, number> {
  return new Map(snapshot.rows.filter((r) => r.level === 'inspection').map((r) => [r.id, r.scorers ?? 0]));
}

/**
 * The change of a published row against the previous published ranking: ↑2, ↓1, — (same
 * rank), 新 (not ranked then), or '' when there is nothing to compare with (a deployment's
 * first publication, a running period).
 */
export function rankChange(row: Pick<RankRow, 'rank' | 'previousRank' | 'isNew'>): string {
  if (row.isNew) return '新';
  if (row.previousRank === undefined) return '';
  const d = row.previousRank - row.rank;
  return d > 0 ? `↑${d}` : d < 0 ? `↓${-d}` : '—';
}
