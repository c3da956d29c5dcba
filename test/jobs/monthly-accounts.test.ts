import type { Types } from 'mongoose';
import { bindGroup, bj, openBench, type Bench } from './harness';

/**
 * 事务公开 on the 1st: each courtyard group gets last month's entries with the totals and the
 * balance, or a reminder when nothing was recorded; voided entries and other months stay out.
 */
describe('the monthly public accounts', () => {
  let bench: Bench;
  let no = 0;
  let street: Types.ObjectId;

  const entry = (courtyard: Types.ObjectId, month: string, kind: 'income' | 'expense', item: string, amountFen: number, extra: Record<string, unknown> = {}) =>
    bench.models.AccountEntry.create({ no: ++no, courtyard, street, month, kind, item, amountFen, createdAt: bj('2020-11-10 10:00'), createdBy: 'liu', ...extra });

  beforeEach(async () => {
    bench = await openBench(bj('2020-11-30 10:00'));
    const { models } = bench;
    street = (await models.Street.create({ name: '济源路街道' }))._id;
    const [dongfang, longhai, shuibeng] = await models.Courtyard.insertMany([
      { name: '东方花园', street, selfGovContact: { name: '刘大姐', userId: 'liu' } },
      { name: '陇海安居', street, selfGovContact: { name: '陈师傅', userId: 'chen' } },
      { name: '水泵厂家属院', street },
    ]);
    // 东方花园: November's income and spending, one voided, one of October, and September's.
    await entry(dongfang!._id, '2020-11', 'income', '停车费', 120000);
    await entry(dongfang!._id, '2020-11', 'income', '公共空间营收', 35050, { note: '<@all> 场地*出租*' });
    await entry(dongfang!._id, '2020-11', 'expense', '保洁', 80000);
    await entry(dongfang!._id, '2020-11', 'expense', '门卫', 99999, { status: 'void', voidedAt: bj('2020-11-12 10:00'), voidedBy: 'liu', voidReason: '重复' });
    await entry(dongfang!._id, '2020-10', 'income', '停车费', 110000);
    await entry(dongfang!._id, '2020-09', 'expense', '物管用品', 12345);
    // 陇海安居: only October, so nothing for November; 水泵厂家属院: nothing at all.
    await entry(longhai!._id, '2020-10', 'income', '停车费', 50000);
    await bindGroup(bench, 'dongfang', { kind: 'courtyard', refId: String(dongfang!._id) });
    await bindGroup(bench, 'longhai', { kind: 'courtyard', refId: String(longhai!._id) });
    await bindGroup(bench, 'shuibeng', { kind: 'courtyard', refId: String(shuibeng!._id) });
    await bindGroup(bench, 'street', { kind: 'street', refId: String(street) });
    await bindGroup(bench, 'lead', { kind: 'district' }, 'leadership');
  });
  afterEach(() => bench.close());

  const accountPushes = () => bench.seen().filter((p) => p.content.includes('事务公开'));

  it('pushes last month’s 公示 with its totals on the 1st at 09:30, and reminders where nothing was recorded', async () => {
    const app = await bench.instance();
    bench.at('2020-12-01 09:30');
    const runs = await app.scheduler.tick(bench.now());
    expect(runs.filter((r) => r.job.name === 'monthly-accounts').map((r) => r.status)).toEqual(['done']);
    await bench.drain(app.outbox);
    const pushes = accountPushes();
    expect(pushes.map((p) => p.key).sort()).toEqual(['dongfang', 'longhai', 'shuibeng']);
    expect(pushes.every((p) => p.at.getTime() === bj('2020-12-01 09:30').getTime())).toBe(true);

    const dongfang = pushes.find((p) => p.key === 'dongfang')!.content;
    expect(dongfang).toContain('## 东方花园 2020年11月 事务公开');
    expect(dongfang).toContain('**收入 1,550.50 元 · 支出 800.00 元 · 结余 750.50 元**');
    expect(dongfang).toContain('#1 收入 停车费 1,200.00 元');
    expect(dongfang).toContain('#2 收入 公共空间营收 350.50 元 · ＜@all＞ 场地＊出租＊');
    expect(dongfang).toContain('#3 支出 保洁 800.00 元');
    expect(dongfang).toContain('另有 1 笔已作废，不计入合计');
    expect(dongfang).not.toMatch(/门卫|物管用品|1,100\.00/);
    expect(pushes.find((p) => p.key === 'dongfang')!.mentions).toEqual([]);

    const longhai = pushes.find((p) => p.key === 'longhai')!;
    expect(longhai.content).toContain('## 事务公开提醒 陇海安居');
    expect(longhai.content).toContain('2020年11月还没有登记任何收支');
    expect(longhai.content).toContain('/公开 收入 停车费 1200 元 11月');
    // The contact the roster names is mentioned; 水泵厂家属院 has none.
    expect(longhai.mentions).toEqual(['chen']);
    const shuibeng = pushes.find((p) => p.key === 'shuibeng')!;
    expect(shuibeng.content).toContain('## 事务公开提醒 水泵厂家属院');
    expect(shuibeng.mentions).toEqual([]);

    // A second tick of the same minute sends nothing again.
    await app.scheduler.tick(bench.now());
    await bench.drain(app.outbox);
    expect(accountPushes()).toHaveLength(3);
  });

  it('holds a 1st that is a day off until the next working morning, and says when its figures are of', async () => {
    const app = await bench.instance();
    // 2020-10-01 to 10-08: National Day; the next working day is Friday 10-09.
    bench.at('2020-10-01 09:30');
    await app.scheduler.tick(bench.now());
    await bench.drain(app.outbox);
    expect(accountPushes()).toEqual([]);
    expect((await bench.pending()).filter((p) => p.dedupeKey.includes('monthly-accounts')).map((p) => p.notBefore)).toEqual(
      Array(3).fill(bj('2020-10-09 08:00')),
    );
    bench.at('2020-10-09 08:00');
    await bench.drain(app.outbox);
    const pushes = accountPushes();
    expect(pushes.map((p) => p.key).sort()).toEqual(['dongfang', 'longhai', 'shuibeng']);
    const dongfang = pushes.find((p) => p.key === 'dongfang')!.content;
    expect(dongfang).toContain('## 东方花园 2020年9月 事务公开');
    expect(dongfang).toContain('截至10月1日 09:30（推送顺延）');
    expect(dongfang).toContain('**收入 0.00 元 · 支出 123.45 元 · 结余 -123.45 元**');
    // 陇海安居 recorded nothing for September.
    expect(pushes.find((p) => p.key === 'longhai')!.content).toContain('2020年9月还没有登记任何收支');
  });

  it('plans nothing without courtyard groups, and a dry run sends nothing', async () => {
    const app = await bench.instance();
    const dry = await app.scheduler.runNow('monthly-accounts', bj('2020-12-01 09:30'), { dryRun: true });
    expect(dry.pushes.map((p) => `${p.targetKey}:${p.part}`).sort()).toEqual(['grp-dongfang:accounts', 'grp-longhai:reminder', 'grp-shuibeng:reminder']);
    await bench.drain(app.outbox);
    expect(bench.seen()).toEqual([]);
    await bench.models.Group.deleteMany({ 'scope.kind': 'courtyard' });
    expect((await app.scheduler.runNow('monthly-accounts', bj('2020-12-01 09:30'), { dryRun: true })).pushes).toEqual([]);
  });
});
