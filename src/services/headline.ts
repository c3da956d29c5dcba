/**
 * The headline of a place (/查询 and the dashboard): the score, rank and arrow of the last
 * published week — exactly what the weekly push said — and beside it the running week,
 * labelled as running, as progress toward its targets and never ranked.
 */
import type { Models, RankingSnapshot } from '../db/models';
import { formatDay } from './beijing-time';
import { shortLabel, weekPeriod, type Period } from './period';
import { computeRankings, type RankRow } from './ranking';
import { scopeRef, type Place } from './scope';
import { mean, round1, SCORE_PARTS, type Parts, type ScoreWeights } from './score';
import { latestSnapshot, loadSnapshot, rowsIn, compareRows } from './snapshots';

export interface PublishedHeadline {
  snapshot: RankingSnapshot;
  /** '9月21日–27日'. */
  label: string;
  /** The place's own row with its arrow; for the district, the mean of its courtyards. */
  row: Pick<RankRow, 'score' | 'parts' | 'unmeasured' | 'previousRank' | 'previousScore' | 'isNew'> & { rank?: number };
  /** Ranked among: 全区街道, 济源路街道楼院; none for the district. */
  peers?: string;
  of?: number;
  /** Courtyards of the place in the published ranking, lowest score first (需关注). */
  lowest: RankRow[];
}

export interface RunningHeadline {
  period: Period;
  /** '本周进行中，截至12月2日'. */
  label: string;
  /** The place's figures so far: parts as progress toward the week's targets (no rank). */
  row: Pick<RankRow, 'score' | 'parts' | 'unmeasured'>;
  /** Courtyards of the place this week so far. */
  courtyards: RankRow[];
  /** The streets this week so far (all of the district's for a district; the street's own otherwise). */
  streets: RankRow[];
}

export interface Headline {
  published: PublishedHeadline | null;
  running: RunningHeadline;
}

/** The mean of rows' scores and, part by part, of their measured parts (how a street's score is made). */
export function meanRow(rows: readonly Pick<RankRow, 'score' | 'parts'>[]): Pick<RankRow, 'score' | 'parts' | 'unmeasured'> {
  const parts = {} as Parts;
  for (const p of SCORE_PARTS) {
    const m = mean(rows.flatMap((r) => (r.parts[p] === null || r.parts[p] === undefined ? [] : [r.parts[p]!])));
    parts[p] = m === undefined ? null : round1(m);
  }
  const score = mean(rows.flatMap((r) => (r.score === null ? [] : [r.score])));
  return { score: score === undefined ? null : round1(score), parts, unmeasured: SCORE_PARTS.filter((p) => parts[p] === null) };
}

/** The headline of `place` at `now`. */
export async function headline(models: Models, place: Place, now: Date, weights?: ScoreWeights): Promise<Headline> {
  const ref = scopeRef(place);
  const week = weekPeriod(now);
  const yardScope = place.kind === 'district' ? {} : { streetId: ref.streetId, courtyardId: place.kind === 'courtyard' ? ref.courtyardId : undefined };
  const [snapshot, running] = await Promise.all([
    latestSnapshot(models, 'week', now),
    computeRankings(models, { levels: ['courtyard', 'street'], period: week, now, weights, ...yardScope }),
  ]);
  // A street's running figures are its own row (the mean of its courtyards, as published); the district's, the mean of all courtyards.
  const runningRow = place.kind === 'street' ? (running.street.find((r) => r.id === ref.streetId) ?? meanRow(running.courtyard)) : meanRow(running.courtyard);
  const result: Headline = {
    published: null,
    running: { period: week, label: `本周进行中，截至${formatDay(now, now)}`, row: runningRow, courtyards: running.courtyard, streets: running.street },
  };
  if (!snapshot) return result;

  const previous = await loadSnapshot(models, snapshot.previous);
  const label = shortLabel(weekPeriod(snapshot.periodStart));
  const inPlace = (rows: RankRow[]) => (place.kind === 'courtyard' ? rows.filter((r) => r.id === ref.courtyardId) : rows);
  const streetYards = compareRows(rowsIn(snapshot, 'courtyard', { streetId: ref.streetId }), previous, 'courtyard', { streetId: ref.streetId });
  const lowest = [...inPlace(streetYards)].sort((a, b) => (a.score ?? -1) - (b.score ?? -1) || a.name.localeCompare(b.name, 'zh-Hans-CN'));

  if (place.kind === 'district') {
    const now_ = meanRow(rowsIn(snapshot, 'courtyard'));
    const before = previous ? meanRow(rowsIn(previous, 'courtyard')) : undefined;
    result.published = { snapshot, label, row: { ...now_, previousScore: before?.score }, lowest };
    return result;
  }
  if (place.kind === 'street') {
    const streets = compareRows(rowsIn(snapshot, 'street'), previous, 'street');
    const own = streets.find((r) => r.id === ref.streetId);
    if (!own) return result;
    result.published = { snapshot, label, row: own, peers: '全区街道', of: streets.length, lowest };
    return result;
  }
  const own = streetYards.find((r) => r.id === ref.courtyardId);
  if (!own) return result;
  result.published = { snapshot, label, row: own, peers: `${place.street?.name ?? '本街道'}楼院`, of: streetYards.length, lowest: [own] };
  return result;
}
