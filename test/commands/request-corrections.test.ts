/**
 * /诉求 转派 and /诉求 作废 (issue 13 item 2) through signed callbacks: normal use,
 * refusal, wrong input, the database after, and the figures after voiding (out of counts,
 * rates, overdue lists and scores in every period; a published snapshot keeps its rows).
 */
import { buildCourtyardCard } from '../../src/dashboard/courtyard-card';
import { createCalendar } from '../../src/services/calendar';
import { findOverdue } from '../../src/services/overdue';
import { computeRanking, weekPeriod } from '../../src/services/ranking';
import { requestFigures } from '../../src/services/requests';
import { findSnapshot, publishPeriod } from '../../src/services/snapshots';
import { createTestBot, type BasicFixture, type TestBot } from '../helpers/bot';


describe('/诉求 转派, 作废', () => {
  let bot: TestBot;
  let f: BasicFixture;
  const request = (no: number) => bot.models.ResidentRequest.findOne({ no }).lean();

  beforeAll(async () => {
    bot = await createTestBot();
    f = await bot.seed.basic();
    await bot.seed.cadre({ name: '周七', unit: '区民政局', userId: 'zhou', courtyards: [f.courtyards.dongfang] });
    await bot.seed.group('grp-longhai', f.courtyards.longhai, { webhookUrl: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=longhai' });
    expect(await bot.send(f.users.stranger, f.groups.dongfang, '/诉求 3号楼楼道灯不亮')).toContain('#1');
    expect(await bot.send(f.users.stranger, f.groups.dongfang, '/诉求 车棚漏雨')).toContain('#2');
    expect(await bot.send(f.users.lisi, '', '/诉求 水泵房噪音 楼院=水泵厂家属院')).toContain('#3');
    expect(await bot.send(f.users.stranger, f.groups.dongfang, '/诉求 3号楼楼道灯不亮了')).toContain('#4');
  });
  afterAll(() => bot.close());

  describe('/诉求 转派', () => {
    it('refuses a cadre who does not have the request and an admin of another street, changing nothing', async () => {
      const cadre = await bot.send(f.users.zhangsan, f.groups.dongfang, '/诉求 转派 #1 给=周七');
      expect(cadre).toContain('🚫 /诉求 转派 仅限「东方花园」的管理员或这条诉求的接单人使用');
      expect(await bot.send(f.users.jyAdmin, '', '/诉求 转派 #3 给=张三')).toContain('🚫 /诉求 转派 仅限「水泵厂家属院」的管理员或这条诉求的接单人使用');
      expect(await bot.send(f.users.stranger, f.groups.dongfang, '/诉求 转派 #1 给=周七')).toContain('🚫');
      expect(await request(1)).toMatchObject({ status: '点单', transfers: [] });
      expect((await request(1))?.assignee).toBeUndefined();
    });

    it('says what is missing or wrong, with the usage', async () => {
      const none = await bot.send(f.users.admin, f.groups.dongfang, '/诉求 转派 #1');
      expect(none).toContain('❌ 请写转给谁（`给=李四`）或转到哪个楼院（`楼院=陇海安居`）');
      expect(none).toContain('用法：`/诉求 转派 #7 给=李四`');
      expect(await bot.send(f.users.admin, f.groups.dongfang, '/诉求 转派 #1 给=马六')).toContain('花名册里没有「马六」');
      expect(await bot.send(f.users.admin, f.groups.dongfang, '/诉求 转派 #1 楼院=火星小区')).toContain('没有找到楼院「火星小区」');
      expect(await bot.send(f.users.admin, f.groups.dongfang, '/诉求 转派 1号 给=李四')).not.toContain('❌'); // 1号 is #1
      expect(await bot.send(f.users.admin, f.groups.dongfang, '/诉求 转派 #1 给=李四')).toContain('❌ #1 已由 李四 负责，无需转派');
      expect(await bot.send(f.users.admin, f.groups.dongfang, '/诉求 转派 #99 给=李四')).toContain('没有编号为 #99 的诉求');
    });

    it('hands an untaken request to a cadre: taken by them, the hand-over kept', async () => {
      const stored = await request(1);
      expect(stored).toMatchObject({ status: '已接单', assignee: f.cadres.lisi._id, acceptedAt: bot.now() });
      expect(stored?.transfers).toEqual([{ at: bot.now(), by: 'admin', toAssignee: f.cadres.lisi._id, fromCourtyard: f.courtyards.dongfang._id, toCourtyard: f.courtyards.dongfang._id }]);
    });

    it('lets the assignee move it to a courtyard of the same street: it waits there to be taken', async () => {
      bot.advance(60_000);
      const reply = await bot.send(f.users.lisi, '', '/诉求 转派 #1 楼院=陇海安居');
      expect(reply).toContain('✅ 已转派诉求 **#1** → 陇海安居');
      expect(reply).toContain('请 陇海安居 的分包干部接单：`/接单 #1`');
      expect(reply).toContain('已通知 陇海安居 工作群');
      // Its cadres are asked to take it in its group.
      const told = bot.outbox.requests.filter((r) => r.dedupeKey.startsWith('request-transfer:'));
      expect(told).toHaveLength(1);
      expect(told[0]).toMatchObject({ target: { kind: 'webhook', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=longhai' }, payload: { mentions: ['lisi'] } });
      expect((told[0]!.payload as { content: string }).content).toContain('请 陇海安居 的分包干部接单：`/接单 #1`');
      const stored = await request(1);
      expect(stored).toMatchObject({ status: '点单', courtyard: f.courtyards.longhai._id, street: f.streets.jiyuan._id });
      expect(stored?.assignee).toBeUndefined();
      expect(stored?.transfers).toHaveLength(2);
      expect(stored?.transfers[1]).toEqual({ at: bot.now(), by: 'lisi', fromAssignee: f.cadres.lisi._id, fromCourtyard: f.courtyards.dongfang._id, toCourtyard: f.courtyards.longhai._id });
    });

    it('an assignee may not move it to another street; an admin covering both may, naming the cadre', async () => {
      expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/接单 #2')).toContain('✅');
      expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/诉求 转派 #2 楼院=水泵厂家属院')).toContain('🚫 转到「水泵厂家属院」需要该楼院的管理员办理（接单人只能转到同一街道的楼院）');
      expect(await bot.send(f.users.jyAdmin, f.groups.dongfang, '/诉求 转派 #2 楼院=水泵厂家属院')).toContain('🚫 转到「水泵厂家属院」需要该楼院的管理员办理');
      expect((await request(2))?.courtyard).toEqual(f.courtyards.dongfang._id);
      const reply = await bot.send(f.users.admin, f.groups.dongfang, '/诉求 转派 #2 楼院=水泵厂家属院 给=李四');
      expect(reply).toContain('✅ 已转派诉求 **#2** → 李四（区残联） · 水泵厂家属院');
      expect(await request(2)).toMatchObject({ status: '已接单', assignee: f.cadres.lisi._id, courtyard: f.courtyards.shuibeng._id, street: f.streets.zhongxin._id });
    });

    it('keeps feedback given when it moves a request: its next cadre follows it up', async () => {
      expect(await bot.send(f.users.stranger, f.groups.dongfang, '/诉求 垃圾桶满了')).toContain('#5');
      expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/反馈 #5 已联系保洁')).toContain('✅ 已反馈');
      const reply = await bot.send(f.users.jyAdmin, f.groups.dongfang, '/诉求 转派 #5 楼院=陇海安居');
      expect(reply).toContain('请 陇海安居 的分包干部跟进：`/反馈 #5 进展` 或 `/办结 #5 结果`');
      const stored = await request(5);
      expect(stored).toMatchObject({ status: '已反馈', courtyard: f.courtyards.longhai._id, feedback: '已联系保洁' });
      expect(stored?.assignee).toBeUndefined();
      expect(stored?.transfers[0]).toMatchObject({ by: 'jy-admin', fromAssignee: f.cadres.zhangsan._id, toCourtyard: f.courtyards.longhai._id });
    });

    it('refuses a closed request', async () => {
      expect(await bot.send(f.users.lisi, '', '/办结 #2 已处理')).toContain('✅ 已办结');
      expect(await bot.send(f.users.admin, '', '/诉求 转派 #2 给=张三')).toContain('❌ #2 已由 李四 办结');
      expect(await bot.send(f.users.admin, '', '/诉求 转派 #2 给=张三')).toContain('不能再转派');
    });
  });

  describe('/诉求 作废', () => {
    it('is for admins of the courtyard: a cadre and an admin of another street are refused', async () => {
      expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/诉求 作废 #4 原因=重复')).toContain('🚫 /诉求 作废 仅限管理员使用');
      expect(await bot.send(f.users.jyAdmin, '', '/诉求 作废 #3 原因=重复')).toContain('🚫 /诉求 作废 仅限「水泵厂家属院」的管理员使用');
      expect((await request(4))?.status).toBe('点单');
    });

    it('needs a reason', async () => {
      const reply = await bot.send(f.users.jyAdmin, f.groups.dongfang, '/诉求 作废 #4');
      expect(reply).toContain('❌ 缺少「原因」');
      expect(reply).toContain('用法：`/诉求 作废 #7 原因=与#6重复`');
      expect(await bot.send(f.users.jyAdmin, f.groups.dongfang, '/诉求 作废 #99 原因=x')).toContain('没有编号为 #99 的诉求');
    });

    it('voids a duplicate with who, when, why and the status it had; later steps are refused', async () => {
      const reply = await bot.send(f.users.jyAdmin, f.groups.dongfang, '/诉求 作废 #4 原因=与#1重复');
      expect(reply).toContain('🗑 已作废诉求 **#4** · 东方花园');
      expect(reply).toContain('不再计入诉求数量、反馈率、办结率、逾期和得分');
      expect(await request(4)).toMatchObject({ status: '已作废', voidedAt: bot.now(), voidedBy: 'jy-admin', voidReason: '与#1重复', voidedFrom: '点单' });
      expect(await bot.send(f.users.admin, f.groups.dongfang, '/诉求 作废 #4 原因=再来')).toContain('❌ #4 已由 赵街道 作废');
      expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/接单 #4')).toContain('已由 赵街道 作废');
      expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/反馈 #4 已联系')).toContain('不需要再反馈');
      expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/办结 #4 好了')).toContain('已由 赵街道 作废');
      expect(await bot.send(f.users.admin, f.groups.dongfang, '/诉求 转派 #4 给=张三')).toContain('不能再转派');
      expect((await request(4))?.status).toBe('已作废');
    });
  });
});

describe('a voided request leaves every request figure', () => {
  let bot: TestBot;
  let f: BasicFixture;

  beforeAll(async () => {
    // Tuesday of the week before: two requests, due Thursday; #2 answered in time, #1 never.
    bot = await createTestBot({ now: new Date('2020-09-08T02:00:00Z') });
    f = await bot.seed.basic();
    expect(await bot.send(f.users.stranger, f.groups.dongfang, '/诉求 路灯不亮')).toContain('#1');
    expect(await bot.send(f.users.stranger, f.groups.dongfang, '/诉求 路灯不亮了')).toContain('#2');
    expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/办结 #2 已更换灯泡')).toContain('✅ 已办结');
    bot.setNow('2020-09-16T02:00:00Z');
  });
  afterAll(() => bot.close());

  const lastWeek = async () => {
    const rows = await computeRanking(bot.models, { level: 'courtyard', period: weekPeriod(bot.now(), -1), now: bot.now() });
    return rows.find((r) => r.id === String(f.courtyards.dongfang._id))!;
  };
  const scope = () => ({ courtyard: f.courtyards.dongfang._id });

  it('counts both before: /查询, /逾期, the figures and last week’s score', async () => {
    const card = await bot.send(f.users.zhangsan, f.groups.dongfang, '/查询');
    expect(card).toContain('民情诉求：2 件 · 未办结 1 · <font color="warning">超期未反馈 1</font>');
    expect(card).toContain('反馈率 50% · 办结率 50%');
    expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/逾期')).toContain('路灯不亮');
    expect(await requestFigures(bot.models, scope(), bot.now())).toMatchObject({ total: 2, fedBack: 1, closed: 1, feedbackRate: 50 });
    // 诉求办理 last week: #1 due, unanswered; #2 fed back in time and closed: (50 · 1 + 50 · 1) / 2 = 50.
    expect((await lastWeek()).parts.requests).toBe(50);
  });

  it('leaves counts, rates, overdue and scores of every period; a published snapshot is not changed', async () => {
    const week = weekPeriod(bot.now(), -1);
    const { snapshot } = await publishPeriod(bot.models, { period: week, now: bot.now(), by: 'test' });
    const published = JSON.stringify(snapshot.rows);

    expect(await bot.send(f.users.admin, f.groups.dongfang, '/诉求 作废 #1 原因=与#2重复')).toContain('🗑 已作废诉求 **#1**');
    bot.advance(60_000);

    const card = await bot.send(f.users.zhangsan, f.groups.dongfang, '/查询');
    expect(card).toContain('民情诉求：1 件 · 未办结 0\n');
    expect(card).toContain('反馈率 100% · 办结率 100%');
    expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/逾期')).not.toContain('路灯不亮');
    expect(await findOverdue(bot.models, { scope: {}, now: bot.now(), kinds: ['request'] })).toEqual([]);
    expect(await findOverdue(bot.models, { scope: {}, now: week.end, kinds: ['request'] })).toEqual([]);
    const dashboard = await buildCourtyardCard(bot.models, f.courtyards.dongfang, { now: bot.now(), calendar: createCalendar() });
    expect(dashboard.requests.map((r) => r.no)).toEqual([2]);
    expect(await requestFigures(bot.models, scope(), bot.now())).toMatchObject({ total: 1, fedBack: 1, closed: 1, feedbackRate: 100, completionRate: 100 });
    // A duplicate never counted: last week recomputed has #2 alone.
    expect((await lastWeek()).parts.requests).toBe(100);
    expect(JSON.stringify((await findSnapshot(bot.models, week))!.rows)).toBe(published);
    // The record stays.
    expect(await bot.models.ResidentRequest.countDocuments()).toBe(2);
  });
});
