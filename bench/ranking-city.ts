/**
 * Ranking at city scale: the weekly ranking (computeRankingDetail at street, courtyard and
 * cadre level over the whole city, as the weekly job's district ranking does) on a synthetic
 * city (bench/city.ts), then the same week after adding older history — progress reports,
 * requests and visits of earlier weeks at the same weekly density. The cost should follow the
 * week's data, not the history: target time(with history) / time(base) ≤ 1.5.
 */
import { performance } from 'node:perf_hooks';
import mongoose from 'mongoose';
import { createModels, syncIndexes, type Models } from '../src/db/models';
import { silentLogger } from '../src/log';
import { createCalendar } from '../src/services/calendar';
import { computeRankingDetail, weekPeriod, type RankLevel } from '../src/services/ranking';
import { CITY_NOW, FULL_CITY, cityActivity, cityRoster, scaleCity, type CityBatch, type CityPlan, type CitySize } from './city';
import { peakRssMb, resetPeakRss, startBenchDb, type BenchDb } from './database';
import { fmt, type BenchResult, type Table, type Target } from './report';

const SEED = 20_200_730;
const LEVELS: RankLevel[] = ['street', 'courtyard', 'cadre'];
const TARGET_RATIO = 1.5;
/** History multiplier of the full city on the stand-in (override: BENCH_HISTORY_FACTOR). */
const DEFAULT_STANDIN_FULL_FACTOR = 3;

interface Timing {
  label: string;
  /** Documents in the activity collections when measured. */
  reports: number;
  requests: number;
  visits: number;
  /** Best of the timed repetitions, per level and the three together (ms). */
  perLevel: Record<RankLevel, number>;
  total: number;
  /** The first (cold) run of the three, ms. */
  cold: number;
  benchPeakMb?: number;
  dbPeakMb?: number;
  rows: Record<RankLevel, number>;
}

async function insertAll(models: Models, batches: Iterable<CityBatch>): Promise<{ docs: number; ms: number }> {
  const t0 = performance.now();
  let docs = 0;
  for (const b of batches) {
    await models[b.model].collection.insertMany(b.docs, { ordered: false });
    docs += b.docs.length;
  }
  return { docs, ms: performance.now() - t0 };
}

async function timeRanking(models: Models, db: BenchDb, label: string, repeats: number): Promise<Timing> {
  const calendar = createCalendar({ log: silentLogger });
  const period = weekPeriod(CITY_NOW, -1);
  const [reports, requests, visits] = await Promise.all([
    models.ProgressReport.estimatedDocumentCount(),
    models.ResidentRequest.estimatedDocumentCount(),
    models.Visit.estimatedDocumentCount(),
  ]);
  if (global.gc) global.gc();
  resetPeakRss('self');
  if (db.pid) resetPeakRss(db.pid);
  const best = { street: Infinity, courtyard: Infinity, cadre: Infinity } as Record<RankLevel, number>;
  const rows = {} as Record<RankLevel, number>;
  let total = Infinity;
  let cold = 0;
  for (let rep = 0; rep < repeats; rep++) {
    const t0 = performance.now();
    for (const level of LEVELS) {
      const t = performance.now();
      const detail = await computeRankingDetail(models, { level, period, calendar, now: CITY_NOW });
      best[level] = Math.min(best[level], performance.now() - t);
      rows[level] = detail.rows.length;
    }
    const took = performance.now() - t0;
    if (rep === 0) cold = took;
    total = Math.min(total, took);
  }
  return { label, reports, requests, visits, perLevel: best, total, cold, benchPeakMb: peakRssMb('self'), dbPeakMb: db.pid ? peakRssMb(db.pid) : undefined, rows };
}

interface SizeRun {
  name: string;
  size: CitySize;
  historyFactor: number;
  base: Timing;
  history: Timing;
  insert: { docs: number; ms: number };
}

/** One city size: build it, time the week, add (factor − 1) × the history before it, time the week again. */
async function runSize(db: BenchDb, name: string, size: CitySize, historyFactor: number, repeats: number, log: (s: string) => void): Promise<SizeRun> {
  // Long timeouts: a stand-in busy with a 10,000-document batch (or a major GC of a large heap)
  // on a loaded machine must not make the driver give up on it.
  const conn = mongoose.createConnection(db.uri, {
    dbName: `bench_city_${name.replace(/\W+/g, '_')}`,
    serverSelectionTimeoutMS: 600_000,
    connectTimeoutMS: 600_000,
    socketTimeoutMS: 0,
    heartbeatFrequencyMS: 60_000,
  });
  await conn.asPromise();
  await conn.dropDatabase();
  const models = createModels(conn);
  await syncIndexes(models);
  const plan: CityPlan = { seed: SEED, size };
  try {
    log(`  ${name}: inserting the city and ${size.historyWeeks} weeks of history`);
    const roster = await insertAll(models, cityRoster(plan));
    const activity = await insertAll(models, cityActivity(plan, { endWeeksAgo: 0, weeks: size.historyWeeks, slice: 0 }));
    log(`  ${name}: ${fmt(roster.docs + activity.docs, 0)} documents in ${fmt((roster.ms + activity.ms) / 1000, 0)} s; timing the week`);
    const base = await timeRanking(models, db, `${name}, ${size.historyWeeks} weeks`, repeats);
    let inserted = { docs: roster.docs + activity.docs, ms: roster.ms + activity.ms };
    for (let k = 1; k < historyFactor; k++) {
      const more = await insertAll(models, cityActivity(plan, { endWeeksAgo: k * size.historyWeeks, weeks: size.historyWeeks, slice: k }));
      inserted = { docs: inserted.docs + more.docs, ms: inserted.ms + more.ms };
      log(`  ${name}: history ×${k + 1} (${fmt(inserted.docs, 0)} documents, ${fmt(inserted.ms / 1000, 0)} s inserting so far)`);
    }
    const history = await timeRanking(models, db, `${name}, ${size.historyWeeks * historyFactor} weeks`, repeats);
    return { name, size, historyFactor, base, history, insert: inserted };
  } finally {
    await conn.dropDatabase().catch(() => {});
    await conn.close();
  }
}

const sec = (ms: number) => fmt(ms / 1000, 2);
const mb = (n?: number) => (n === undefined ? 'n/a' : fmt(n, 0));

/** The benchmark. */
export async function rankingCity(opts: { quick: boolean; log?: (s: string) => void }): Promise<BenchResult> {
  const log = opts.log ?? ((s: string) => process.stdout.write(s + '\n'));
  const db = await startBenchDb({ heapMb: 16_384 });
  // The stand-in holds everything in its heap (~1.5 KB a document with its indexes): ×10 of the
  // full city (13.6 M documents) would not fit this machine's memory, nor the time.
  const fullFactor = Number(process.env.BENCH_HISTORY_FACTOR ?? (db.engine === 'standin' ? DEFAULT_STANDIN_FULL_FACTOR : 10));
  const runs: SizeRun[] = [];
  const failures: string[] = [];
  try {
    const sizes: Array<[string, CitySize, number, number]> = opts.quick
      ? [['1/100 city', scaleCity(FULL_CITY, 0.01), 10, 2]]
      : [...(db.engine === 'standin' ? [['1/10 city', scaleCity(FULL_CITY, 0.1), 10, 3] as [string, CitySize, number, number]] : []), ['full city', FULL_CITY, fullFactor, 2]];
    for (const [name, size, factor, repeats] of sizes) {
      try {
        runs.push(await runSize(db, name, size, factor, repeats, log));
      } catch (err) {
        // Keep the sizes that ran; say which did not.
        failures.push(`${name} (×${factor} history) did not finish: ${(err as Error).message}`);
      }
    }
  } finally {
    await db.stop();
  }

  const table: Table = {
    headers: ['city', 'history', 'reports', 'requests', 'visits', 'street s', 'courtyard s', 'cadre s', 'all three s', 'cold s', 'bench peak MB', 'DB peak MB'],
    rows: [],
  };
  for (const r of runs) {
    for (const t of [r.base, r.history]) {
      table.rows.push([r.name, t.label.split(', ')[1]!, fmt(t.reports, 0), fmt(t.requests, 0), fmt(t.visits, 0), sec(t.perLevel.street), sec(t.perLevel.courtyard), sec(t.perLevel.cadre), sec(t.total), sec(t.cold), mb(t.benchPeakMb), mb(t.dbPeakMb)]);
    }
  }
  const ratios: Table = {
    headers: ['city', 'history multiplied', 'time ratio (all three)', 'street', 'courtyard', 'cadre', 'inserted docs', 'insert docs/s'],
    rows: runs.map((r) => [
      r.name,
      `×${r.historyFactor}`,
      fmt(r.history.total / r.base.total, 2),
      fmt(r.history.perLevel.street / r.base.perLevel.street, 2),
      fmt(r.history.perLevel.courtyard / r.base.perLevel.courtyard, 2),
      fmt(r.history.perLevel.cadre / r.base.perLevel.cadre, 2),
      fmt(r.insert.docs, 0),
      fmt(r.insert.docs / (r.insert.ms / 1000), 0),
    ]),
  };
  if (runs.length === 0) throw new Error(failures.join('; '));
  const targets: Target[] = [
    ...runs.map((r) => ({
      what: `${r.name}: time with ×${r.historyFactor} history ≤ ${TARGET_RATIO} × time with the base history`,
      met: r.history.total / r.base.total <= TARGET_RATIO,
      actual: `${fmt(r.history.total / r.base.total, 2)} (${sec(r.base.total)} s → ${sec(r.history.total)} s)`,
    })),
    ...failures.map((f) => ({ what: 'every city size ran', met: false, actual: f })),
  ];
  const full = runs[runs.length - 1]!;
  return {
    name: 'ranking',
    title: 'Ranking at city scale: the weekly ranking (street, courtyard, cadre) on a synthetic city, then with more history',
    engine: db.engine,
    command: `npm run bench -- ranking${opts.quick ? ' --quick' : ''}`,
    tables: [
      { caption: `Time of computeRankingDetail for the week ${weekPeriod(CITY_NOW, -1).label} (judged ${CITY_NOW.toISOString()}), whole city, best of the repetitions; peak memory (VmHWM) over the timed runs:`, table },
      { caption: 'The curve: with multiplied history / with the base history (target ≤ 1.5):', table: ratios },
    ],
    targets,
    notes: [
      `City (seed ${SEED}, bench/city.ts): ${full.size.districts} districts, ${fmt(full.size.streets, 0)} street offices, ${fmt(full.size.courtyards, 0)} courtyards, ${fmt(full.size.cadres, 0)} cadres, ${fmt(full.size.projects, 0)} projects, ${fmt(full.size.progressReports, 0)} progress reports and ${fmt(full.size.requests, 0)} requests over ${full.size.historyWeeks} weeks, ${full.size.visitsPerCadreWeek} visits per cadre per week; inserted with insertMany (10,000 a batch) through the driver, indexes built first as the app does.`,
      `Added history: earlier weeks of progress reports, requests (older ones 90% closed, 8% fed back, 2% never answered — a backlog that stays overdue) and visits at the same weekly density; the roster and the 50,000 projects stay the same.${full.historyFactor !== 10 ? ` The full city ran with ×${full.historyFactor} history, not ×10, to fit in memory and time (the stand-in keeps everything in its heap; BENCH_HISTORY_FACTOR=10 asks for more); the 1/10 city shows the ×10 curve.` : ''}`,
      `Database: ${db.how}.`,
      ...failures.map((f) => `FAILED: ${f}`),
    ],
  };
}
