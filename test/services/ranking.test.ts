import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { createModels, syncIndexes, type Models } from '../../src/db/models';
import { createCalendar } from '../../src/services/calendar';
import { computeRanking, monthPeriod, previousPeriod, weekPeriod, type RankRow } from '../../src/services/ranking';
import { openTestDb, type TestDb } from '../helpers/db';
import { seedTwoWeeks, bj, type Seeded } from './ranking-seed';

const calendar = createCalendar();
/** The weekly job's fire: Monday 2020-09-28 09:00, ranking the week 09-21…09-27 against 09-14…09-20. */
const now = bj('2020-09-28 09:00');
const lastWeek = weekPeriod(now, -1);

let db: TestDb;
let models: Models;
let seed: Seeded;

beforeAll(async () => {
  db = await openTestDb();
  models = createModels(db.conn);
  await syncIndexes(models);
  seed = await seedTwoWeeks(models, calendar);
});
afterAll(() => db.close());

const summary = (rows: RankRow[]) => rows.map((r) => [r.name, r.score, r.rank, r.overdue]);

describe('periods', () => {
  it('names Beijing weeks and months and steps back one', () => {
    expect(lastWeek).toMatchObject({ start: bj('2020-09-21 00:00'), end: bj('2020-09-28 00:00'), label: '2020年9月21日–9月27日' });
    expect(weekPeriod(bj('2020-12-30 12:00')).label).toBe('2020年12月28日–2021年1月3日');
    // Sunday 23:30 Beijing is still the same week (Sunday 15:30 UTC).
    expect(weekPeriod(bj('2020-09-27 23:30')).start).toEqual(bj('2020-09-21 00:00'));
    expect(previousPeriod(lastWeek)).toMatchObject({ start: bj('2020-09-14 00:00'), end: bj('2020-09-21 00:00') });
    const september = monthPeriod(bj('2020-10-01 09:00'), -1);
    expect(september).toMatchObject({ start: bj('2020-09-01 00:00'), end: bj('2020-10-01 00:00'), label: '2020年9月' });
    expect(previousPeriod(september)).toMatchObject({ start: bj('2020-08-01 00:00'), end: bj('2020-09-01 00:00'), label: '2020年8月' });
  });
});

describe('computeRanking on a seeded street over two weeks', () => {
  it('scores and ranks the courtyards as worked out by hand', async () => {
    const rows = await computeRanking(models, { level: 'courtyard', period: lastWeek, streetId: seed.jiyuan, calendar, now });
    // 东方花园: progress (100 + 50) / 2 = 75, on time 1 of 2 = 50, requests (½·1/2 + ½·1/2) = 50,
    // visits: 张伟 4.5 h at 东方花园 against 4 → 100, orgs 3/3 = 100
    // → (30·75 + 20·50 + 20·50 + 20·100 + 10·100) / 100 = 72.5.
    // 建设院: its one project, finished in August, counts 100 (progress is over all its
    // projects); nothing timed or due (their weight shared out); 王强 logged nothing there this
    // week: visits 0; orgs 100 → (3000 + 0 + 1000) / 60 = 66.7.
    // 幸福里: progress (40 + 100) / 2 = 70, on time 0 of 1 (#4 finished late), no requests due,
    // visits 李娜 4 h + 王强 1 h at 幸福里 → 100, orgs 1/3 → (2100 + 0 + 2000 + 333.3) / 80 = 55.4.
    expect(summary(rows)).toEqual([
      ['东方花园', 72.5, 1, 1],
      ['建设院', 66.7, 2, 0],
      ['幸福里', 55.4, 3, 1],
    ]);
    expect(rows[0]!.parts).toEqual({ progress: 75, onTime: 50, requests: 50, visits: 100, orgs: 100 });
    expect(rows[0]!.streetName).toBe('济源路街道');
    // A part with nothing to measure is left out of the score and shown as such (null), never as a full bar.
    expect(rows[2]).toMatchObject({ unmeasured: ['requests'], parts: { progress: 70, onTime: 0, requests: null, visits: 100, orgs: 33.3 } });
    expect(rows[1]).toMatchObject({ unmeasured: ['onTime', 'requests'], parts: { progress: 100, onTime: null, requests: null, visits: 0, orgs: 100 } });
  });

  it('judges the week before as things stood then', async () => {
    const rows = await computeRanking(models, { level: 'courtyard', period: previousPeriod(lastWeek), streetId: seed.jiyuan, calendar, now });
    // 东方花园 on 09-21: #1 at 60 % (its 09-24 report came later), #2 at 30 % and late: progress 45,
    // on time 0 of 1; request #1 answered in time and closed: 100; 张伟 3 h: 75; the owners'
    // committee was built on 09-23: orgs 2/3 → (1350 + 0 + 2000 + 1500 + 666.7) / 100 = 55.2.
    // 幸福里: #3 40 %, #4 80 % → 60, nothing timed (#3 postponed), request #5 late: 0, 李娜 4 h: 100,
    // orgs 1/3 → (1800 + 0 + 2000 + 333.3) / 80 = 51.7. 建设院: 100, visits 王强 5 h: 100, orgs 100 → 100.
    expect(summary(rows)).toEqual([
      ['建设院', 100, 1, 0],
      ['东方花园', 55.2, 2, 1],
      ['幸福里', 51.7, 3, 1],
    ]);
  });

  it('ranks street offices by the mean of their courtyards', async () => {
    const rows = await computeRanking(models, { level: 'street', period: lastWeek, calendar, now });
    // 济源路: (72.5 + 66.667 + 55.417) / 3 = 64.9. 新安路 (one courtyard): progress 20, visits 赵敏
    // 4 h at 红旗院: 100, orgs 0 → 2600 / 60 = 43.3.
    expect(summary(rows)).toEqual([
      ['济源路街道', 64.9, 1, 2],
      ['新安路街道', 43.3, 2, 0],
    ]);
    expect(rows[0]!.parts.progress).toBe(81.7); // (75 + 70 + 100) / 3
    // Measured in some courtyard: the mean over those.
    expect(rows[0]!.parts.requests).toBe(50);
  });

  it('ranks cadres by their own visits, projects and requests', async () => {
    const rows = await computeRanking(models, { level: 'cadre', period: lastWeek, streetId: seed.jiyuan, calendar, now });
    // 张伟: progress 75, on time 50, requests 50, visits 4.5 h at 东方花园: 1 of 1 → 6250 / 90 = 69.4.
    // 李娜: progress 40, visits 1 of 1 → 3200 / 50 = 64.
    // 王强: #4 (done this week) and 建设院's old project: 100, on time 0 of 1, visits: 1 h at 幸福里,
    // none at 建设院: 0 of 2 → 3000 / 70 = 42.9.
    expect(summary(rows)).toEqual([
      ['张伟', 69.4, 1, 1],
      ['李娜', 64, 2, 1],
      ['王强', 42.9, 3, 0],
    ]);
    expect(rows[0]).toMatchObject({ unit: '区财政局', streetName: '济源路街道', unmeasured: ['orgs'] });
  });

  it('judges a running week as of now', async () => {
    // Wednesday 09-23 12:00: 东方花园's #2 is overdue (0 of 1 on time), #1 not yet done (60%),
    // nothing due yet in requests… #1's request R1 is due tonight; 张伟 has 2 of 4 hours.
    const wednesday = bj('2020-09-23 12:00');
    const rows = await computeRanking(models, {
      level: 'courtyard',
      period: weekPeriod(wednesday),
      courtyardId: seed.dongfang,
      calendar,
      now: wednesday,
    });
    // progress: #1 60 (its 09-24 report had not happened), #2 50 (reported 09-23 10:00) → 55;
    // on time 0 of 1; requests none due yet; visits 2 h so far of 4: 50; orgs 3/3 (committee
    // built 09-23 09:00) → (1650 + 0 + 1000 + 1000) / 80 = 45.6.
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ name: '东方花园', score: 45.6, rank: 1, parts: { progress: 55, onTime: 0, requests: null, visits: 50, orgs: 100 } });
  });

  it('counts a month’s visits as the share of its weeks (and courtyards) met', async () => {
    // September's weeks end on 09-06, 13, 20 and 27. 张伟 met one (09-21…27): 25; 李娜 two: 50;
    // 王强 one of his eight courtyard-weeks (建设院, 09-14…20): 12.5.
    const september = monthPeriod(bj('2020-10-01 09:00'), -1);
    const rows = await computeRanking(models, { level: 'cadre', period: september, streetId: seed.jiyuan, calendar, now: bj('2020-10-01 09:00') });
    const visits = Object.fromEntries(rows.map((r) => [r.name, r.parts.visits]));
    expect(visits).toEqual({ 张伟: 25, 李娜: 50, 王强: 12.5 });
  });

  it('changes the order when SCORE_WEIGHTS weighs only the three organisations', async () => {
    const config = loadConfig({ DATA_DIR: mkdtempSync(path.join(tmpdir(), 'lyt-weights-')), SCORE_WEIGHTS: 'progress=0,onTime=0,requests=0,visits=0,orgs=1' });
    const rows = await computeRanking(models, {
      level: 'courtyard',
      period: lastWeek,
      streetId: seed.jiyuan,
      calendar,
      now,
      weights: config.scoreWeights,
    });
    // 东方花园 and 建设院 have all three (100, a shared first place), 幸福里 one of three.
    expect(rows.map((r) => [r.name, r.score, r.rank])).toEqual([
      ['东方花园', 100, 1],
      ['建设院', 100, 1],
      ['幸福里', 33.3, 3],
    ]);
  });

  it('rejects weights that are negative, unknown or all zero, naming the variable', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lyt-weights-'));
    expect(() => loadConfig({ DATA_DIR: dir, SCORE_WEIGHTS: 'progress=-1,speed=3' })).toThrow(
      /SCORE_WEIGHTS: "progress=-1": the weight must be a number ≥ 0[\s\S]*SCORE_WEIGHTS: "speed=3": unknown part/,
    );
    expect(() => loadConfig({ DATA_DIR: dir, SCORE_WEIGHTS: 'progress=0,onTime=0,requests=0,visits=0,orgs=0' })).toThrow(
      'at least one weight must be positive',
    );
    expect(loadConfig({ DATA_DIR: dir }).scoreWeights).toEqual({ progress: 30, onTime: 20, requests: 20, visits: 20, orgs: 10 });
  });
});

describe('cost', () => {
  let hdb: TestDb;
  let hmodels: Models;
  let hseed: Seeded;
  let pipelines: { collection: string; pipeline: object[] }[] = [];

  beforeAll(async () => {
    hdb = await openTestDb();
    hmodels = createModels(hdb.conn);
    await syncIndexes(hmodels);
    hseed = await seedTwoWeeks(hmodels, calendar);
    hdb.conn.set('debug', (collection: string, method: string, ...args: unknown[]) => {
      if (method === 'aggregate') pipelines.push({ collection, pipeline: args[0] as object[] });
    });
  });
  afterAll(() => hdb.close());

  /** Runs a ranking and returns what its aggregations read (keys + documents examined, by explain). */
  /** Per readsOf call, the index of the aggregation counting projects finished before the period. */
  const finished: number[] = [];
  async function readsOf(level: 'street' | 'courtyard' | 'cadre', streetId?: string): Promise<{ rows: RankRow[]; examined: number[] }> {
    pipelines = [];
    const rows = await computeRanking(hmodels, { level, period: lastWeek, streetId, calendar, now });
    const examined: number[] = [];
    const at = pipelines.findIndex((p) => p.collection === 'projects' && JSON.stringify(p.pipeline).includes('"$lt"') && JSON.stringify(p.pipeline).includes('"$group"') && !JSON.stringify(p.pipeline).includes('"$or"'));
    finished.push(at);
    for (const { collection, pipeline } of pipelines) {
      const explain = await hdb.conn.db!.command({ explain: { aggregate: collection, pipeline, cursor: {} }, verbosity: 'executionStats' });
      const text = JSON.stringify(explain);
      expect(text).not.toContain('COLLSCAN');
      const counts = [...text.matchAll(/"total(?:Keys|Docs)Examined":(\d+)/g)].map((m) => Number(m[1]));
      examined.push(counts.reduce((a, b) => a + b, 0));
    }
    return { rows, examined };
  }

  it('reads the same whatever the size of the history before the period', async () => {
    const rankAll = async () => [await readsOf('street'), await readsOf('courtyard', hseed.jiyuan), await readsOf('cadre', hseed.jiyuan)];
    const before = await rankAll();
    expect(before[0]!.examined.length).toBeGreaterThanOrEqual(5);
    // A year of older history in every courtyard: finished projects, their reports, answered
    // requests and visits, all before the two weeks ranked.
    const courtyards = await hmodels.Courtyard.find().lean();
    const cadres = await hmodels.Cadre.find({ roles: 'cadre' }).lean();
    let no = 1000;
    for (const y of courtyards) {
      const cadre = cadres.find((c) => c.courtyards.some((id) => id.equals(y._id)))!;
      const old = await hmodels.Project.insertMany(
        Array.from({ length: 20 }, (_, i) => ({
          no: ++no,
          courtyard: y._id,
          street: y.street,
          category: '工程',
          title: `旧项目${i}`,
          owner: cadre._id,
          deadline: bj('2019-06-30 00:00'),
          percent: 100,
          status: '已完成',
          completedAt: bj('2019-06-20 10:00'),
          createdAt: bj('2019-03-01 10:00'),
        })),
      );
      await hmodels.ProgressReport.insertMany(
        old.flatMap((p) =>
          Array.from({ length: 10 }, (_, i) => ({ project: p._id, courtyard: y._id, street: y.street, cadre: cadre._id, userId: 'u', percent: 10 * (i + 1), previousPercent: 10 * i, at: bj(`2019-04-${String(i + 10)} 10:00`) })),
        ),
      );
      await hmodels.ResidentRequest.insertMany(
        Array.from({ length: 100 }, (_, i) => ({
          no: ++no,
          courtyard: y._id,
          street: y.street,
          text: '旧诉求',
          reporter: { userId: 'r' },
          status: '已办结',
          assignee: cadre._id,
          createdAt: bj('2019-05-06 10:00'),
          dueAt: bj(`2019-05-${String(8 + (i % 20)).padStart(2, '0')} 23:59`),
          closedAt: bj('2019-05-07 10:00'),
        })),
      );
      await hmodels.Visit.insertMany(
        Array.from({ length: 50 }, (_, i) => ({ cadre: cadre._id, courtyard: y._id, street: y.street, date: bj(`2019-0${1 + (i % 9)}-1${i % 10} 00:00`), hours: 4, createdAt: bj('2019-10-01 10:00') })),
      );
    }
    const after = await rankAll();
    for (let i = 0; i < before.length; i++) {
      // 项目进度 is over all of a courtyard's projects: the old finished ones count 100 each, so
      // the ranks move; only their count is read (one aggregation), everything else as before.
      const counted = finished[i]!;
      expect(after[i]!.examined.filter((_, k) => k !== counted)).toEqual(before[i]!.examined.filter((_, k) => k !== counted));
      expect(after[i]!.examined[counted]! - before[i]!.examined[counted]!).toBeLessThanOrEqual(2 * 20 * courtyards.length);
    }
  });
});
