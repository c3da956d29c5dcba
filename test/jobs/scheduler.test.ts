import { getTasks } from 'node-cron';
import { jobRunModel } from '../../src/db/models/job-run';
import { jobStateModel } from '../../src/db/models/job-state';
import { cronSlots } from '../../src/jobs/cron-slots';
import { createScheduler } from '../../src/jobs/scheduler';
import { silentLogger } from '../../src/log';
import { bindGroup, bj, calendar, config, openBench, type Bench } from './harness';
import { allJobs } from '../../jobs';

/** A street, a courtyard with an overdue project, and a leadership, a street and a courtyard group. */
async function seedStreet(bench: Bench) {
  const street = await bench.models.Street.create({ name: '济源路街道' });
  const yard = await bench.models.Courtyard.create({ name: '东方花园', street: street._id });
  const cadre = await bench.models.Cadre.create({ name: '张伟', unit: '区财政局', userId: 'zhangwei', userIdSource: 'roster', courtyards: [yard._id] });
  await bench.models.Project.create({
    no: 1,
    courtyard: yard._id,
    street: street._id,
    category: '工程',
    title: '楼道照明',
    owner: cadre._id,
    deadline: bj('2020-09-18 00:00'),
    percent: 50,
    createdAt: bj('2020-09-01 09:00'),
  });
  await bindGroup(bench, 'lead', { kind: 'district' }, 'leadership');
  await bindGroup(bench, 'street', { kind: 'street', refId: String(street._id) });
  await bindGroup(bench, 'yard', { kind: 'courtyard', refId: String(yard._id) });
  return { street, yard, cadre };
}

const weeklyPushes = (bench: Bench) => bench.seen().filter((p) => p.content.includes('每周排名') || p.msgtype === 'image' || p.msgtype === 'file');

describe('cron slots in Beijing time', () => {
  it('finds the previous slot of each schedule', () => {
    const monday = cronSlots('0 9 * * 1');
    expect(monday.previous(bj('2020-09-28 11:00'))).toEqual(bj('2020-09-28 09:00'));
    expect(monday.previous(bj('2020-09-28 08:59'))).toEqual(bj('2020-09-21 09:00'));
    expect(monday.previous(bj('2020-09-28 09:00'))).toEqual(bj('2020-09-28 09:00'));
    expect(cronSlots('0 9 1 * *').previous(bj('2020-10-20 12:00'))).toEqual(bj('2020-10-01 09:00'));
    expect(cronSlots('0 16 * * 4').previous(bj('2020-09-28 12:00'))).toEqual(bj('2020-09-24 16:00'));
    // 01:00 UTC on Monday is 09:00 Beijing: matched in Beijing time, not the machine's.
    expect(monday.matches(new Date('2020-09-28T01:00:00Z'))).toBe(true);
    expect(monday.matches(new Date('2020-09-28T09:00:00Z'))).toBe(false);
  });
});

describe('the scheduler', () => {
  let bench: Bench;
  beforeEach(async () => {
    bench = await openBench(bj('2020-09-25 10:00'));
  });
  afterEach(() => bench.close());

  it('registers each job with node-cron in Asia/Shanghai, distributed, and removes them on stop', async () => {
    const app = await bench.instance({ timers: true });
    await app.scheduler.start();
    const names = [...getTasks().values()].map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['weekly-ranking', 'overdue-alerts', 'visit-reminder', 'monthly-inspection']));
    const weekly = [...getTasks().values()].find((t) => t.name === 'weekly-ranking')!;
    // The next real fire is a Monday 09:00 in Beijing (01:00 UTC).
    const next = weekly.getNextRun()!;
    expect([next.getUTCDay(), next.getUTCHours(), next.getUTCMinutes()]).toEqual([1, 1, 0]);
    await app.scheduler.stop();
    expect([...getTasks().values()].some((t) => t.name === 'weekly-ranking')).toBe(false);
  });

  it('runs a weekly fire once across two app instances on one database', async () => {
    await seedStreet(bench);
    const a = await bench.instance();
    const b = await bench.instance();
    bench.at('2020-09-28 09:00');
    const [ra, rb] = await Promise.all([a.scheduler.tick(bench.now()), b.scheduler.tick(bench.now())]);
    const weekly = [...ra!, ...rb!].filter((r) => r.job.name === 'weekly-ranking');
    expect(weekly.map((r) => r.status).sort()).toEqual(['done', 'not-elected']);
    await bench.drain(a.outbox, b.outbox);
    // One ranking, chart and table to the leadership group, one ranking to the street group.
    expect(weeklyPushes(bench).map((p) => `${p.key}:${p.msgtype}`).sort()).toEqual(['lead:file', 'lead:image', 'lead:markdown', 'street:markdown']);
    // A late tick of either changes nothing.
    await a.scheduler.tick(bench.now());
    await bench.drain(a.outbox, b.outbox);
    expect(weeklyPushes(bench)).toHaveLength(4);
    const run = await jobRunModel(bench.db.conn).findById(`weekly-ranking:${bj('2020-09-28 09:00').toISOString()}`).lean();
    expect(run).toMatchObject({ status: 'done', trigger: 'schedule', counts: { planned: 4, queued: 4, duplicate: 0 } });
  });

  it('sends the ranking missed over Monday 09:00 once, at start-up at 11:00', async () => {
    await seedStreet(bench);
    // Up on Friday, then down over the weekend and Monday morning.
    const before = await bench.instance();
    await before.scheduler.start();
    await before.scheduler.stop();
    expect(bench.seen()).toEqual([]);

    bench.at('2020-09-28 11:00');
    const a = await bench.instance();
    const b = await bench.instance();
    // Two processes start together: the catch-up goes through the same fire key.
    await Promise.all([a.scheduler.start(), b.scheduler.start()]);
    await bench.drain(a.outbox, b.outbox);
    const weekly = weeklyPushes(bench);
    expect(weekly).toHaveLength(4);
    expect(weekly.every((p) => p.at.getTime() === bj('2020-09-28 11:00').getTime())).toBe(true);
    expect(weekly.find((p) => p.key === 'lead' && p.msgtype === 'markdown')!.content).toContain('## 每周排名 9月21日–27日');
    // The overdue alerts of 09:00 were missed too.
    expect(bench.seen().filter((p) => p.content.includes('逾期提醒')).map((p) => p.key)).toEqual(['yard']);
    const state = await jobStateModel(bench.db.conn).findById('weekly-ranking').lean();
    expect(state).toMatchObject({ lastFiredAt: bj('2020-09-28 09:00'), lastStatus: 'done', lastTrigger: 'catch-up' });

    // Restarted again at 11:30: nothing is missed any more.
    bench.at('2020-09-28 11:30');
    const c = await bench.instance();
    await c.scheduler.start();
    await bench.drain(c.outbox);
    expect(weeklyPushes(bench)).toHaveLength(4);
  });

  it('holds a catch-up that comes at night until 08:00 of the next working day', async () => {
    await seedStreet(bench);
    const before = await bench.instance();
    await before.scheduler.start();
    await before.scheduler.stop();
    bench.at('2020-09-28 22:00');
    const app = await bench.instance();
    await app.scheduler.start();
    await bench.drain(app.outbox);
    expect(bench.seen()).toEqual([]);
    bench.at('2020-09-29 07:59');
    await bench.drain(app.outbox);
    expect(bench.seen()).toEqual([]);
    bench.at('2020-09-29 08:00');
    await bench.drain(app.outbox);
    expect(weeklyPushes(bench)).toHaveLength(4);
  });

  it('does not catch up on a first start (nothing was missed before it)', async () => {
    await seedStreet(bench);
    bench.at('2020-09-28 11:00');
    const app = await bench.instance();
    await app.scheduler.start();
    await bench.drain(app.outbox);
    expect(bench.seen()).toEqual([]);
  });

  it('runs by hand with the dedupe keys of a fire at that minute: a repeat sends nothing more', async () => {
    await seedStreet(bench);
    const app = await bench.instance();
    bench.at('2020-09-28 10:15');
    const preview = await app.scheduler.runNow('周排名', new Date(bench.now().getTime() + 20_000), { dryRun: true });
    expect(preview.pushes).toHaveLength(4);
    expect(preview.dedupeKeys[0]).toBe(`job:weekly-ranking:${bj('2020-09-28 10:15').toISOString()}:grp-lead:ranking`);
    await bench.drain(app.outbox);
    expect(bench.seen()).toEqual([]);

    const first = await app.scheduler.runNow('weekly-ranking', bench.now());
    const again = await app.scheduler.runNow('weekly-ranking', bench.now());
    expect([first.queued, first.duplicate, again.queued, again.duplicate]).toEqual([4, 0, 0, 4]);
    await bench.drain(app.outbox);
    expect(weeklyPushes(bench)).toHaveLength(4);
    await expect(app.scheduler.runNow('no-such-job', bench.now())).rejects.toThrow('no job named "no-such-job"');
  });
});

describe('National Day 2020', () => {
  let bench: Bench;
  beforeAll(async () => {
    bench = await openBench(bj('2020-09-29 00:00'));
  });
  afterAll(() => bench.close());

  it('makes a request logged on 09-30 due on Saturday 10-10, and the alerts skip the holidays', async () => {
    const { street, yard, cadre } = await seedStreet(bench);
    const loggedAt = bj('2020-09-30 15:00');
    // The 2-working-day deadline /诉求 stores: 10-01…10-08 are holidays, Friday 10-09 and Saturday 10-10 working days.
    const dueAt = calendar.dueAfterWorkingDays(loggedAt, 2);
    expect(dueAt).toEqual(new Date(bj('2020-10-11 00:00').getTime() - 1));
    await bench.models.ResidentRequest.create({ no: 1, courtyard: yard._id, street: street._id, text: '3号楼楼道灯不亮', reporter: { userId: 'resident' }, assignee: cadre._id, createdAt: loggedAt, dueAt });

    const app = await bench.instance();
    for (let t = bj('2020-09-29 00:00').getTime(); t <= bj('2020-10-12 23:30').getTime(); t += 30 * 60_000) {
      bench.at(new Date(t));
      await app.scheduler.tick(bench.now());
      await bench.drain(app.outbox);
    }
    const alerts = bench.seen().filter((p) => p.key === 'yard' && p.content.includes('逾期提醒'));
    expect(alerts.map((p) => calendar.dayKey(p.at))).toEqual(['2020-09-29', '2020-09-30', '2020-10-09', '2020-10-10', '2020-10-12']);
    // The request is late from Sunday 10-11: alerted on Monday 10-12, not before.
    expect(alerts.filter((p) => p.content.includes('#1 3号楼楼道灯不亮')).map((p) => calendar.dayKey(p.at))).toEqual(['2020-10-12']);
    // Late since the end of 10-10: two calendar days on 10-12.
    expect(alerts[4]!.content).toContain('诉求未反馈 #1 3号楼楼道灯不亮 · 逾期2天 · 张伟');
    // The holiday fires are recorded as skipped.
    const runs = await jobRunModel(bench.db.conn).find({ job: 'overdue-alerts', status: 'skipped' }).sort({ firedAt: 1 }).lean();
    expect(runs.map((r) => calendar.dayKey(r.firedAt))).toEqual([
      '2020-10-01', '2020-10-02', '2020-10-03', '2020-10-04', '2020-10-05', '2020-10-06', '2020-10-07', '2020-10-08', '2020-10-11',
    ]);
  }, 120_000);
});

describe('overdue items at most once a day', () => {
  it('leaves out items alerted earlier the same day, by any run', async () => {
    const bench = await openBench(bj('2020-09-28 09:00'));
    try {
      await seedStreet(bench);
      const app = await bench.instance();
      await app.scheduler.tick(bench.now());
      await bench.drain(app.outbox);
      bench.at('2020-09-28 10:30');
      const again = await app.scheduler.runNow('逾期', bench.now());
      expect(again.pushes).toEqual([]);
      bench.at('2020-09-29 09:00');
      await app.scheduler.tick(bench.now());
      await bench.drain(app.outbox);
      expect(bench.seen().filter((p) => p.key === 'yard').map((p) => calendar.dayKey(p.at))).toEqual(['2020-09-28', '2020-09-29']);
    } finally {
      await bench.close();
    }
  });
});

it('a scheduler with no groups plans nothing and says so in its record', async () => {
  const bench = await openBench(bj('2020-09-28 09:00'));
  try {
    const scheduler = createScheduler({ models: bench.models, conn: bench.db.conn, config, log: silentLogger, outbox: { enqueue: async () => 'queued' }, calendar, now: bench.now, timers: false, jobs: allJobs });
    const [weekly] = (await scheduler.tick(bench.now())).filter((r) => r.job.name === 'weekly-ranking');
    expect(weekly).toMatchObject({ status: 'done', pushes: [] });
  } finally {
    await bench.close();
  }
});
