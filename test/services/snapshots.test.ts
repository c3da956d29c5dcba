import { seedTwoWeeks } from './ranking-seed';
import { bindGroup, bj, calendar, openBench, type Bench } from '../jobs/harness';
import { weekPeriod } from '../../src/services/period';
import { publishPeriod, rowsIn } from '../../src/services/snapshots';

/**
 * Publishing a period is exactly-once across processes: the unique (kind, periodStart,
 * version) index lets one insert through, whoever else publishes at the same moment reads it.
 */
describe('publishing a ranking', () => {
  let bench: Bench;
  beforeAll(async () => {
    bench = await openBench(bj('2020-09-28 09:00'));
    await seedTwoWeeks(bench.models, calendar);
    await bindGroup(bench, 'lead', { kind: 'district' }, 'leadership');
  });
  afterAll(() => bench.close());

  it('writes one snapshot when several processes publish the same week at once', async () => {
    const period = weekPeriod(bj('2020-09-21 12:00'), -1);
    const processes = await Promise.all([bench.instance(), bench.instance(), bench.instance()]);
    const results = await Promise.all(processes.map((p) => publishPeriod(p.models, { period, now: bench.now(), by: 'weekly-ranking' })));
    const stored = await bench.models.RankingSnapshot.find({ periodStart: period.start }).lean();
    expect(stored).toHaveLength(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => String(r.snapshot._id)))).toEqual(new Set([String(stored[0]!._id)]));
    // Everyone reports the same figures.
    for (const r of results) expect(rowsIn(r.snapshot, 'street')).toEqual(rowsIn(stored[0]!, 'street'));
  });

  it('publishes once when two processes run the weekly push at once, and both push what was published', async () => {
    const [a, b] = await Promise.all([bench.instance(), bench.instance()]);
    // Two runs by hand a minute apart (their dedupe keys differ): the period is still published once.
    const [ra, rb] = await Promise.all([
      a.scheduler.runNow('weekly-ranking', bj('2020-09-28 09:00')),
      b.scheduler.runNow('weekly-ranking', bj('2020-09-28 09:01')),
    ]);
    const stored = await bench.models.RankingSnapshot.find({ periodStart: bj('2020-09-21 00:00') }).lean();
    expect(stored).toHaveLength(1);
    const markdown = (r: typeof ra) => r.pushes.find((p) => p.part === 'ranking')!.payload;
    expect(markdown(ra)).toEqual(markdown(rb));
  });
});

it('publishes nothing for a period with no courtyard on the roster, so the next publication is the first', async () => {
  const bench = await openBench(bj('2020-09-28 09:00'));
  try {
    const period = weekPeriod(bj('2020-09-28 09:00'), -1);
    const { created, snapshot } = await publishPeriod(bench.models, { period, now: bench.now(), by: 'weekly-ranking' });
    expect(created).toBe(false);
    expect(snapshot.rows).toEqual([]);
    expect(await bench.models.RankingSnapshot.countDocuments()).toBe(0);
  } finally {
    await bench.close();
  }
});
