/**
 * /记录 and /作废 记录 through signed callbacks: stable short numbers, who may, wrong input,
 * the database after, and the figures after — a voided visit leaves the running week at
 * once, while a published ranking changes only by re-publishing.
 */
import { findSnapshot } from '../../src/services/snapshots';
import { weekPeriod } from '../../src/services/period';
import { computeRanking } from '../../src/services/ranking';
import { createTestBot, type BasicFixture, type TestBot, type TestUser } from '../helpers/bot';

/** That Beijing wall-clock time. */
const bj = (text: string) => new Date(`${text.replace(' ', 'T')}:00+08:00`);
const LEAD = 'grp-lead';

let bot: TestBot;
let f: BasicFixture;
const zcAdmin: TestUser = { userId: 'zc-admin', name: '钱中心' };

beforeEach(async () => {
  bot = await createTestBot();
  f = await bot.seed.basic();
  await bot.seed.cadre({ name: '钱中心', unit: '中心路街道办事处', userId: 'zc-admin', roles: ['admin'], scope: f.streets.zhongxin });
  await bot.seed.group(LEAD, 'district', { purpose: 'leadership', webhookUrl: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=lead-0001' });
});
afterEach(() => bot.close());

/** The numbers a listing shows, in order: `#12`. */
const numbers = (reply: string) => [...reply.matchAll(/\*\*#(\d+)\*\*/g)].map((m) => Number(m[1]));

/** 张三's score parts this week, in the ranking of 东方花园's cadres. */
async function zhangsanRow(period = weekPeriod(bot.now())) {
  const rows = await computeRanking(bot.models, { level: 'cadre', period, courtyardId: String(f.courtyards.dongfang._id), now: bot.now() });
  return rows.find((r) => r.name === '张三')!;
}

describe('/记录', () => {
  it('lists a person’s records newest first, with numbers that stay', async () => {
    expect(await bot.send(f.users.admin, f.groups.dongfang, '/项目 新建 路面硬化 类别=工程 截止=9月30日 责任人=张三')).toContain('#1');
    expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/下沉 半天 清理杂物')).toContain('✅');
    bot.advance(60_000);
    expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/进度 #1 40% 开工')).toContain('40%');
    bot.advance(60_000);
    const first = await bot.send(f.users.jyAdmin, f.groups.jiyuan, '/记录 张三');
    expect(first).toContain('**张三（区医保局） · 近 60 天的记录**');
    expect(first).toContain('**#1** 9月16日 10:01 进度 #1 路面硬化（东方花园）0% → 40%：开工');
    expect(first).toContain('**#2** 9月16日 10:00 下沉 东方花园 9月16日 4小时：清理杂物');
    expect(first).toContain('作废一条：`/作废 记录 #编号 原因=…`');
    expect(await bot.models.RecordRef.countDocuments()).toBe(2);

    // Another admin, later, after a new record: the old numbers stay, the new one gets the next.
    expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/下沉 1小时 征集意见 日期=昨天')).toContain('✅');
    const again = await bot.send(f.users.admin, '', '/记录 张三');
    expect(numbers(again)).toEqual([3, 1, 2]);
    expect(again).toContain('**#3** 9月16日 10:02 下沉 东方花园 9月15日 1小时：征集意见');
    expect(await bot.models.RecordRef.countDocuments()).toBe(3);
    // Two listings at once give the same numbers.
    await bot.send(f.users.zhangsan, f.groups.dongfang, '/下沉 1小时 政策宣讲');
    const [a, b] = await Promise.all([bot.send(f.users.admin, '', '/记录 张三'), bot.send(f.users.jyAdmin, '', '/记录 张三')]);
    expect(numbers(a)).toEqual(numbers(b));
    expect(await bot.models.RecordRef.countDocuments()).toBe(4);
  });

  it('says when there is nothing, and refuses whoever does not look after the person', async () => {
    expect(await bot.send(f.users.jyAdmin, '', '/记录 张三')).toContain('近 60 天没有下沉、进度、反馈记录');
    expect(await bot.send(f.users.zhangsan, '', '/记录 张三')).toMatch(/^🚫 .*仅限管理员/);
    expect(await bot.send(f.users.leader, '', '/记录 张三')).toMatch(/^🚫/);
    expect(await bot.send(zcAdmin, '', '/记录 张三')).toMatch(/^🚫 .*「东方花园」的管理员/);
    const bare = await bot.send(f.users.admin, '', '/记录');
    expect(bare).toMatch(/^❌ .*姓名/);
    expect(bare).toContain('用法：`/记录 张三`');
    expect(await bot.send(f.users.admin, '', '/记录 查无此人')).toMatch(/^❌ .*花名册里没有「查无此人」/);
    expect(await bot.models.RecordRef.countDocuments()).toBe(0);
  });
});

describe('/作废 记录', () => {
  it('voids a visit: gone from the running week at once, kept in the listing and the audit log', async () => {
    expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/下沉 半天 清理杂物')).toContain('✅');
    expect((await zhangsanRow()).parts.visits).toBe(100);
    bot.advance(20 * 60_000); // past /撤销's window
    expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/撤销')).toContain('只能撤销 10 分钟内的记录');
    expect(numbers(await bot.send(f.users.jyAdmin, '', '/记录 张三'))).toEqual([1]);
    const visit = (await bot.models.Visit.findOne({ cadre: f.cadres.zhangsan._id }).lean())!;

    const reply = await bot.send(f.users.jyAdmin, '', '/作废 记录 #1 原因=重复登记');
    expect(reply).toContain('🗑️ 已作废 **#1**：下沉 东方花园 9月16日 4小时：清理杂物');
    expect(reply).toContain('原因：重复登记');
    expect(await bot.models.Visit.countDocuments({ cadre: f.cadres.zhangsan._id })).toBe(0);
    expect(await bot.models.RecordRef.findOne({ no: 1 }).lean()).toMatchObject({ voidedAt: bot.now(), voidedBy: 'jy-admin', voidedByName: '赵街道', voidReason: '重复登记' });
    expect(await bot.models.AuditEntry.findOne({ modelName: 'Visit', docId: visit._id, op: 'delete' }).lean()).toMatchObject({ actor: 'jy-admin', before: { hours: 4 } });
    expect((await zhangsanRow()).parts.visits).toBe(0);

    const listed = await bot.send(f.users.jyAdmin, '', '/记录 张三');
    expect(listed).toContain('#1 已作废（赵街道 9月16日 10:20：重复登记）9月16日 10:00 下沉 东方花园');
    expect(numbers(listed)).toEqual([]);
    expect(await bot.send(f.users.admin, '', '/作废 记录 #1 原因=再来')).toContain('#1 已于 9月16日 10:20 由 赵街道 作废（原因：重复登记）');
    // The author cannot /撤销 it back in either.
    expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/撤销')).toMatch(/只能撤销|无法撤销/);
  });

  it('is undone by the admin’s /撤销 within its window', async () => {
    await bot.send(f.users.zhangsan, f.groups.dongfang, '/下沉 半天 清理杂物');
    bot.advance(20 * 60_000);
    await bot.send(f.users.admin, '', '/记录 张三');
    expect(await bot.send(f.users.admin, '', '/作废 记录 #1 原因=看错了')).toContain('🗑️');
    expect(await bot.send(f.users.admin, '', '/撤销')).toContain('↩️ 已撤销');
    expect(await bot.models.Visit.countDocuments({ cadre: f.cadres.zhangsan._id })).toBe(1);
    expect(await bot.models.RecordRef.findOne({ no: 1 }).lean()).toMatchObject({ voidedAt: null });
    expect((await zhangsanRow()).parts.visits).toBe(100);
  });

  it('leaves a published ranking as it was until it is re-published', async () => {
    // Last week: 张三 half a day at 东方花园; published on Monday.
    bot.setNow(bj('2020-09-09 10:00'));
    expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/下沉 半天 清理杂物')).toContain('✅');
    bot.setNow(bj('2020-09-14 09:00'));
    expect(await bot.send(f.users.admin, LEAD, '/推送 周排名')).toContain('✅');
    const lastWeek = weekPeriod(bj('2020-09-09 10:00'));
    const published = (await findSnapshot(bot.models, lastWeek))!;
    const row = (s: typeof published) => s.rows.find((r) => r.level === 'cadre' && r.name === '张三')!;
    expect(row(published).parts.visits).toBe(100);

    bot.setNow(bj('2020-09-16 10:00'));
    await bot.send(f.users.admin, '', '/记录 张三');
    const reply = await bot.send(f.users.admin, '', '/作废 记录 #1 原因=那天没去');
    expect(reply).toContain('已发布的排名不变；需要更正时：`/推送 重新发布 上周 原因=…`');
    const still = (await findSnapshot(bot.models, lastWeek))!;
    expect(still.version).toBe(1);
    expect(row(still)).toEqual(row(published));
    expect((await zhangsanRow(lastWeek)).parts.visits).toBe(0);
    expect(await bot.send(f.users.admin, '', '/排名 干部 上周')).toContain('张三');

    expect(await bot.send(f.users.admin, LEAD, '/推送 重新发布 上周 原因=作废了一条下沉')).toContain('第2版');
    const corrected = (await findSnapshot(bot.models, lastWeek))!;
    expect(corrected.version).toBe(2);
    expect(row(corrected).parts.visits).toBe(0);
    expect(row((await findSnapshot(bot.models, lastWeek, 1))!)).toEqual(row(published));
  });

  it('voids a progress report: the project goes back to the percent before it', async () => {
    await bot.send(f.users.admin, f.groups.dongfang, '/项目 新建 路面硬化 类别=工程 截止=9月30日 责任人=张三');
    await bot.send(f.users.zhangsan, f.groups.dongfang, '/进度 #1 40% 开工');
    bot.advance(60_000);
    await bot.send(f.users.zhangsan, f.groups.dongfang, '/进度 #1 80% 填错了');
    bot.advance(20 * 60_000);
    expect(numbers(await bot.send(f.users.admin, '', '/记录 张三'))).toEqual([1, 2]);
    expect(await bot.send(f.users.admin, '', '/作废 记录 #1 原因=应为8%')).toContain('进度 #1 路面硬化（东方花园）40% → 80%');
    const project = (await bot.models.Project.findOne({ no: 1 }).lean())!;
    expect(project.percent).toBe(40);
    expect(project.lastReportAt).toEqual(bj('2020-09-16 10:00'));
    expect(await bot.models.ProgressReport.countDocuments({ project: project._id })).toBe(1);
    expect(await bot.send(f.users.admin, '', '/作废 记录 #2 原因=没开工')).toContain('🗑️');
    expect((await bot.models.Project.findOne({ no: 1 }).lean())!.percent).toBe(0);
  });

  it('voids a feedback: the request is unanswered again, its other feedback kept', async () => {
    expect(await bot.send(f.users.stranger, f.groups.dongfang, '/诉求 3号楼楼道灯不亮')).toContain('#1');
    await bot.send(f.users.zhangsan, f.groups.dongfang, '/反馈 #1 已联系电工');
    // Saturday: the request fell due this week, answered in time.
    bot.setNow(bj('2020-09-19 10:00'));
    const requestsPart = async () =>
      (await computeRanking(bot.models, { level: 'courtyard', period: weekPeriod(bot.now()), now: bot.now() })).find((r) => r.name === '东方花园')!.parts.requests;
    const answered = await requestsPart();
    const listed = await bot.send(f.users.admin, '', '/记录 张三');
    expect(listed).toContain('**#1** 9月16日 10:00 反馈 诉求 #1（东方花园）：已联系电工');
    expect(await bot.send(f.users.admin, '', '/作废 记录 #1 原因=没有联系')).toContain('🗑️ 已作废 **#1**：反馈 诉求 #1');
    expect(await requestsPart()).toBeLessThan(answered!);
    const request = (await bot.models.ResidentRequest.findOne({ no: 1 }).lean())!;
    expect(request).toMatchObject({ status: '已接单', feedbacks: [] });
    expect(request.feedbackAt).toBeUndefined();
    expect(String(request.assignee)).toBe(String(f.cadres.zhangsan._id));

    // With two feedbacks, the first voided: the second one is the first answer now.
    await bot.send(f.users.zhangsan, f.groups.dongfang, '/反馈 #1 明天上门');
    bot.advance(60_000);
    await bot.send(f.users.zhangsan, f.groups.dongfang, '/反馈 #1 已上门');
    expect(numbers(await bot.send(f.users.admin, '', '/记录 张三'))).toEqual([2, 3]);
    expect(await bot.send(f.users.admin, '', '/作废 记录 #3 原因=重复')).toContain('🗑️ 已作废 **#3**：反馈 诉求 #1（东方花园）：明天上门');
    const after = (await bot.models.ResidentRequest.findOne({ no: 1 }).lean())!;
    expect(after).toMatchObject({ status: '已反馈', feedback: '已上门', feedbackAt: bj('2020-09-19 10:01') });
    expect(after.feedbacks.map((fb) => fb.text)).toEqual(['已上门']);
  });

  it('refuses to void a completion, another street’s record, and bad input', async () => {
    await bot.send(f.users.admin, f.groups.dongfang, '/项目 新建 路面硬化 类别=工程 截止=9月30日 责任人=张三');
    await bot.send(f.users.zhangsan, f.groups.dongfang, '/进度 #1 100% 完工');
    await bot.send(f.users.zhangsan, f.groups.dongfang, '/下沉 半天 清理杂物');
    bot.advance(20 * 60_000);
    expect(numbers(await bot.send(f.users.admin, '', '/记录 张三'))).toEqual([1, 2]);
    const ids = async () => (await bot.models.RecordRef.find().sort({ no: 1 }).lean()).map((r) => [r.no, r.kind, r.voidedAt]);
    const before = await ids();
    expect(await bot.send(f.users.admin, '', '/作废 记录 #2 原因=错了')).toMatch(/^❌ 这条进度把项目 #1 报为完成（已销号），不能单独作废/);
    expect(await bot.send(zcAdmin, '', '/作废 记录 #1 原因=错了')).toMatch(/^🚫 .*「东方花园」的管理员/);
    expect(await bot.send(f.users.zhangsan, '', '/作废 记录 #1 原因=错了')).toMatch(/^🚫/);
    const bare = await bot.send(f.users.admin, '', '/作废 记录 #1');
    expect(bare).toMatch(/^❌ .*原因/);
    expect(bare).toContain('用法：`/作废 记录 #12 原因=重复登记`');
    expect(await bot.send(f.users.admin, '', '/作废 记录 #99 原因=错了')).toMatch(/^❌ .*没有编号为 #99 的记录/);
    expect(await bot.send(f.users.admin, '', '/作废 记录 张三 原因=错了')).toMatch(/^❌ .*不是记录编号/);
    expect(await bot.send(f.users.admin, '', '/作废 #2 原因=错了')).toMatch(/^❌ 这条进度把项目 #1 报为完成/);
    expect(await ids()).toEqual(before);
    expect(await bot.models.Visit.countDocuments()).toBe(1);
  });
});

