import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { importRoster } from '../../src/roster/import-roster';
import { formatYuan, parseAmountFen, parseMonth } from '../../src/services/public-accounts';
import { createTestBot, type BasicFixture, type TestBot, type TestUser } from '../helpers/bot';

/** Friday 2020-11-20 10:00 Beijing time. */
const NOW = new Date('2020-11-20T02:00:00Z');
const liu: TestUser = { userId: 'liu', name: '刘大姐' };

let bot: TestBot;
let f: BasicFixture;

beforeAll(async () => {
  bot = await createTestBot({ now: NOW });
  f = await bot.seed.basic();
  await bot.seed.group('grp-shuibeng', f.courtyards.shuibeng);
  // The self-governing body's contact, as the roster import records it (楼院 sheet).
  const dir = mkdtempSync(path.join(tmpdir(), 'lyt-accounts-'));
  writeFileSync(path.join(dir, 'courtyards.csv'), '楼院名称*,所属街道*,自治组织联系人,联系人企业微信账号\n东方花园,济源路街道,刘大姐,liu\n');
  const imported = await importRoster(bot.models, [dir], { now: NOW });
  expect(imported.problems).toEqual([]);
});
afterAll(() => bot.close());

const entries = () => bot.models.AccountEntry.find().sort({ no: 1 }).lean();

describe('the roster’s contact columns', () => {
  it('refuses a malformed account and reports a changed contact', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lyt-accounts-'));
    writeFileSync(path.join(dir, 'courtyards.csv'), '楼院名称*,所属街道*,自治组织联系人,联系人企业微信账号\n陇海安居,济源路街道,陈师傅,chen shi fu\n');
    const bad = await importRoster(bot.models, [dir], { now: NOW, dryRun: true });
    expect(bad.problems.map((p) => p.message)).toEqual([expect.stringContaining('联系人企业微信账号「chen shi fu」只能含字母、数字')]);
    writeFileSync(path.join(dir, 'courtyards.csv'), '楼院名称*,所属街道*,自治组织联系人,联系人企业微信账号\n东方花园,济源路街道,刘大姐,liu2\n');
    const changed = await importRoster(bot.models, [dir], { now: NOW, dryRun: true });
    expect(changed.problems).toEqual([]);
    expect(changed.counts?.courtyards.updated).toBe(1);
    expect((await bot.models.Courtyard.findById(f.courtyards.dongfang._id).lean())!.selfGovContact?.userId).toBe('liu');
  });
});

describe('amounts and months', () => {
  it('reads amounts in fen, and refuses the wrong ones', () => {
    expect(['1200', '1200.5', '1,200 元', '1,200元', '¥1200', '￥1,200.00', '0.01', '１２００'].map(parseAmountFen)).toEqual([120000, 120050, 120000, 120000, 120000, 120000, 1, 120000]);
    expect(parseAmountFen('10000000')).toBe(1_000_000_000);
    for (const bad of ['-5', '0', '0.00', '1.234', '10000000.01', '20,000,000', 'abc', '1,20', '12元5角', '']) expect(() => parseAmountFen(bad)).toThrow();
    expect(formatYuan(120050)).toBe('1,200.50');
    expect(formatYuan(-5)).toBe('-0.05');
  });

  it('reads months, never after this one', () => {
    expect(parseMonth('11月', NOW)).toEqual({ year: 2020, month: 11 });
    expect(parseMonth('十月', NOW)).toEqual({ year: 2020, month: 10 });
    expect(parseMonth('上月', NOW)).toEqual({ year: 2020, month: 10 });
    expect(parseMonth('本月', NOW)).toEqual({ year: 2020, month: 11 });
    expect(parseMonth('2020年9月', NOW)).toEqual({ year: 2020, month: 9 });
    expect(parseMonth('2020-09', NOW)).toEqual({ year: 2020, month: 9 });
    // Without the year, the latest such month: December typed in January is last year's.
    expect(parseMonth('12月', new Date('2021-01-05T02:00:00Z'))).toEqual({ year: 2020, month: 12 });
    for (const future of ['下月', '2020年12月', '2026年11月']) expect(() => parseMonth(future, NOW)).toThrow(/还没到/);
    expect(() => parseMonth('13月', NOW)).toThrow(/看不懂月份/);
  });
});

describe('/公开', () => {
  it('records income and spending for the contact the roster names, with totals and an audit entry each', async () => {
    expect((await bot.models.Courtyard.findById(f.courtyards.dongfang._id).lean())!.selfGovContact).toEqual({ name: '刘大姐', userId: 'liu' });

    const income = await bot.send(liu, f.groups.dongfang, '/公开 收入 停车费 1200 元 11月');
    expect(income).toContain('✅ 已登记收入 **#1**：东方花园 · 2020年11月 · 停车费 **1,200.00 元**');
    expect(income).toContain('2020年11月合计：收入 1,200.00 元 · 支出 0.00 元 · 结余 1,200.00 元');

    const spent = await bot.send(liu, f.groups.dongfang, '/公开 支出 保洁 800.5 元 11月 备注=两名保洁员，<@all>*工资*');
    expect(spent).toContain('✅ 已登记支出 **#2**');
    expect(spent).toContain('备注：两名保洁员，＜@all＞＊工资＊');
    expect(spent).toContain('收入 1,200.00 元 · 支出 800.50 元 · 结余 399.50 元');

    // An admin of the courtyard's street records too, last month's, in a 1:1 chat naming it.
    expect(await bot.send(f.users.jyAdmin, '', '/公开 收入 卫生费 ¥3,450.50 上月 楼院=东方花园')).toContain('✅ 已登记收入 **#3**：东方花园 · 2020年10月');

    const stored = await entries();
    expect(stored.map((e) => [e.no, e.kind, e.item, e.amountFen, e.month, e.createdBy, e.status])).toEqual([
      [1, 'income', '停车费', 120000, '2020-11', 'liu', 'active'],
      [2, 'expense', '保洁', 80050, '2020-11', 'liu', 'active'],
      [3, 'income', '卫生费', 345050, '2020-10', 'jy-admin', 'active'],
    ]);
    expect(stored[1]!.note).toBe('两名保洁员，<@all>*工资*');
    for (const e of stored) expect(await bot.models.AuditEntry.countDocuments({ modelName: 'AccountEntry', docId: e._id, op: 'create' })).toBe(1);
  });

  it('takes the contact’s own courtyard in a 1:1 chat', async () => {
    expect(await bot.send(liu, '', '/公开 支出 门卫 1,500 元 11月')).toContain('✅ 已登记支出 **#4**：东方花园 · 2020年11月 · 门卫 **1,500.00 元**');
  });

  it('refuses residents, cadres (of the courtyard or another) and admins of another street', async () => {
    const before = await bot.models.AccountEntry.countDocuments();
    const tries: [TestUser, string][] = [
      [f.users.stranger, f.groups.dongfang],
      [f.users.zhangsan, f.groups.dongfang],
      [f.users.lisi, f.groups.dongfang],
      [f.users.leader, f.groups.dongfang],
      [f.users.jyAdmin, 'grp-shuibeng'],
      [liu, 'grp-shuibeng'],
    ];
    for (const [user, chat] of tries) {
      const reply = await bot.send(user, chat, '/公开 收入 停车费 100 元 11月');
      expect(reply).toMatch(/^🚫 \/公开 收入 仅限「(东方花园|水泵厂家属院)」的本楼院自治组织联系人/);
    }
    // 水泵厂家属院 has no contact on the roster: the refusal says so.
    expect(await bot.send(liu, 'grp-shuibeng', '/公开 支出 保洁 1 元')).toContain('还没有登记自治组织联系人的企业微信账号');
    expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/公开 作废 #1 原因=试试')).toMatch(/^🚫/);
    expect(await bot.models.AccountEntry.countDocuments()).toBe(before);
    expect((await bot.models.AccountEntry.findOne({ no: 1 }).lean())!.status).toBe('active');
  });

  it('answers wrong input with what was wrong and the usage, and writes nothing', async () => {
    const before = await bot.models.AccountEntry.countDocuments();
    const cases: [string, RegExp][] = [
      ['/公开 收入 停车费 -100 元 11月', /金额不能是负数/],
      ['/公开 收入 停车费 0 元 11月', /金额要大于 0/],
      ['/公开 收入 停车费 1.234 元 11月', /最多两位小数/],
      ['/公开 收入 停车费 10000000.01 元 11月', /不能超过 1000 万元/],
      ['/公开 收入 停车费 一千 元 11月', /看不懂金额/],
      ['/公开 收入 停车费 100 元 12月', /2019年12月|还没到/],
      ['/公开 收入 停车费 100 元 下月', /2020年12月还没到/],
      ['/公开 收入 停车费 100 元 2026年11月', /2026年11月还没到/],
      ['/公开 收入 停车费', /缺少「金额」/],
      ['/公开 收入 1200 元 11月', /请先写事项/],
      ['/公开 收入 这是一个非常非常非常非常非常长的收入事项名称 100 元', /事项最多 20 个字/],
      [`/公开 支出 保洁 100 元 备注=${'很'.repeat(101)}`, /备注最多 100 个字/],
      ['/公开 收入 停车费 100 元 11月 月份=10月', /月份写了两次/],
      ['/公开 作废 #1', /请写明作废原因/],
      ['/公开 作废 #99 原因=没有', /没有编号为 #99 的收支/],
      ['/公开 作废 第二笔 原因=没有', /不是收支编号/],
    ];
    for (const [line, want] of cases) {
      const reply = await bot.send(liu, f.groups.dongfang, line);
      // 12月 in November is last year's: accepted (it is no future month), so it is left out of the count below.
      if (line.includes(' 12月')) continue;
      expect(reply).toMatch(/^❌/);
      expect(reply).toMatch(want);
      expect(reply).toContain('用法：');
    }
    expect(await bot.models.AccountEntry.countDocuments({ month: { $ne: '2019-12' } })).toBe(before);
  });

  it('lists a month for anyone: numbers, income, spending, balance; an item typed as markup stays text', async () => {
    await bot.send(liu, f.groups.dongfang, '/公开 收入 **场地**租金 300 元 11月');
    const list = await bot.send(f.users.stranger, f.groups.dongfang, '/公开 列表 11月');
    expect(list).toContain('**东方花园 · 2020年11月 事务公开**');
    expect(list).toContain('收入 1,500.00 元 · 支出 2,300.50 元 · 结余 -800.50 元');
    expect(list).toContain('**#1** 收入 停车费 1,200.00 元');
    expect(list).toContain('**#2** 支出 保洁 800.50 元 · 两名保洁员，＜@all＞＊工资＊');
    expect(list).toContain('收入 ＊＊场地＊＊租金 300.00 元');
    expect(list).not.toContain('#3 ');
    // /公开 alone is this month's list; 上月 has the admin's entry.
    expect(await bot.send(f.users.stranger, f.groups.dongfang, '/公开')).toContain('2020年11月 事务公开');
    expect(await bot.send(f.users.stranger, f.groups.dongfang, '/公开 列表 上月')).toContain('收入 3,450.50 元 · 支出 0.00 元 · 结余 3,450.50 元');
    expect(await bot.send(f.users.stranger, 'grp-shuibeng', '/公开 列表')).toContain('还没有登记收支');
    expect(await bot.send(f.users.stranger, f.groups.dongfang, '/公开 列表 下月')).toMatch(/^❌ 2020年12月还没到/);
  });

  it('voids an entry: kept, out of the totals, audited; a second void is told who did it', async () => {
    const voided = await bot.send(liu, f.groups.dongfang, '/公开 作废 #2 原因=金额填错');
    expect(voided).toContain('🗑️ 已作废 **#2**：东方花园 · 2020年11月 · 支出 保洁 800.50 元');
    expect(voided).toContain('收入 1,500.00 元 · 支出 1,500.00 元 · 结余 0.00 元');
    const stored = (await bot.models.AccountEntry.findOne({ no: 2 }).lean())!;
    expect(stored).toMatchObject({ status: 'void', voidedBy: 'liu', voidedByName: '刘大姐', voidReason: '金额填错' });
    expect(await bot.models.AuditEntry.countDocuments({ modelName: 'AccountEntry', docId: stored._id, op: 'update' })).toBe(1);

    const again = await bot.send(f.users.jyAdmin, f.groups.dongfang, '/公开 作废 #2 原因=再来');
    expect(again).toMatch(/^❌ #2 已于 11月20日 10:00 由 刘大姐 作废（原因：金额填错）/);
    const list = await bot.send(f.users.stranger, f.groups.dongfang, '/公开 列表');
    expect(list).toContain('#2 已作废');
    expect(list).not.toContain('**#2**');
  });

  it('is in /帮助 with its examples and who records', async () => {
    const help = await bot.send(f.users.stranger, f.groups.dongfang, '/帮助 公开');
    expect(help).toContain('`/公开 收入 停车费 1200 元 11月`');
    expect(help).toContain('`/公开 作废 #12 原因=金额填错，应为1500元`');
    // Who may record or void, as the command checks it (not 所有人, though the role gate lets anyone reach the check).
    const who = (line: string) => new RegExp(`${line}<font color="comment">（([^<]+)）</font>`).exec(help)?.[1];
    expect(who('登记楼院的一笔收入：事项、金额、月份，每月 1 日在楼院群公示')).toBe('本楼院自治组织联系人（花名册登记的企业微信账号）或管理员');
    expect(who('不再计入合计')).toBe('本楼院自治组织联系人（花名册登记的企业微信账号）或管理员');
    expect(who('合计和结余（默认本月）')).toBe('所有人');
    expect(await bot.send(f.users.stranger, f.groups.dongfang, '/帮助')).toContain('**/公开**');
  });

  it('undoes a recording and a void within 10 minutes (/撤销)', async () => {
    bot.advance(60_000);
    const no = Number(/已登记收入 \*\*#(\d+)\*\*/.exec(await bot.send(liu, f.groups.dongfang, '/公开 收入 停车费 50 元 本月'))?.[1]);
    expect(await bot.models.AccountEntry.countDocuments({ no })).toBe(1);
    expect(await bot.send(liu, f.groups.dongfang, '/撤销')).toContain(`事务公开收支 #${no}「停车费」`);
    expect(await bot.models.AccountEntry.countDocuments({ no })).toBe(0);
    bot.advance(60_000);
    expect(await bot.send(liu, f.groups.dongfang, '/公开 作废 #1 原因=试一下')).toContain('🗑️ 已作废 **#1**');
    expect(await bot.send(liu, f.groups.dongfang, '/撤销')).toContain('事务公开收支 #1');
    expect((await bot.models.AccountEntry.findOne({ no: 1 }).lean())!.status).toBe('active');
  });
});
