/**
 * /项目 取消, 修改, 详情 (issue 13 item 1) through signed callbacks: normal use, refusal,
 * wrong input, the database after, and the score after a cancellation (out of every score
 * and overdue list from then on; a past period and a published snapshot keep it).
 */
import { buildCourtyardCard } from '../../src/dashboard/courtyard-card';
import { beijingDate } from '../../src/services/beijing-time';
import { createCalendar } from '../../src/services/calendar';
import { findOverdue } from '../../src/services/overdue';
import { computeRanking, weekPeriod } from '../../src/services/ranking';
import { findSnapshot, publishPeriod } from '../../src/services/snapshots';
import { createTestBot, type BasicFixture, type TestBot } from '../helpers/bot';

const day = (m: number, d: number) => beijingDate(2020, m, d)!;
const zhou = { userId: 'zhou', name: '周七' };

describe('/项目 取消, 修改, 详情', () => {
  let bot: TestBot;
  let f: BasicFixture;
  const project = (no: number) => bot.models.Project.findOne({ no }).lean();

  beforeAll(async () => {
    bot = await createTestBot();
    f = await bot.seed.basic();
    await bot.seed.cadre({ name: '周七', unit: '区民政局', userId: 'zhou', courtyards: [f.courtyards.dongfang] });
    for (const line of [
      '/项目 新建 路面硬化 类别=工程 截止=9月20日 责任人=张三', // #1
      '/项目 新建 楼道照明 类别=工程 截止=9月30日 责任人=张三', // #2
      '/项目 新建 绿化补植 类别=服务 截止=9月30日 责任人=张三', // #3
    ]) {
      expect(await bot.send(f.users.admin, f.groups.dongfang, line)).toContain('✅ 项目已公示');
    }
    expect(await bot.send(f.users.admin, '', '/项目 新建 屋顶防水 类别=工程 截止=9月30日 责任人=李四 楼院=水泵厂家属院')).toContain('#4'); // #4
  });
  afterAll(() => bot.close());

  describe('/项目 取消', () => {
    it('refuses a cadre who does not own the project, and an admin of another street, changing nothing', async () => {
      const cadre = await bot.send(zhou, f.groups.dongfang, '/项目 取消 #1 原因=录错了');
      expect(cadre).toContain('🚫 /项目 取消 仅限「东方花园」的管理员或项目责任人使用');
      expect(cadre).toContain('张三（项目责任人）');
      expect(await bot.send(f.users.jyAdmin, '', '/项目 取消 #4 原因=录错了')).toContain('🚫 /项目 取消 仅限「水泵厂家属院」的管理员或项目责任人使用');
      expect(await bot.send(f.users.leader, f.groups.dongfang, '/项目 取消 #1 原因=录错了')).toContain('🚫');
      expect((await project(1))?.status).toBe('进行中');
      expect((await project(4))?.status).toBe('进行中');
    });

    it('says what is missing or wrong, in Chinese, with the usage', async () => {
      const none = await bot.send(f.users.zhangsan, f.groups.dongfang, '/项目 取消 #1');
      expect(none).toContain('❌ 缺少「原因」');
      expect(none).toContain('用法：`/项目 取消 #12 原因=重复录入`');
      expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/项目 取消 #99 原因=x')).toContain('没有编号为 #99 的项目');
      expect(await bot.send(f.users.zhangsan, f.groups.dongfang, `/项目 取消 #1 原因=${'很'.repeat(201)}`)).toContain('原因不超过 200 个字');
      expect((await project(1))?.status).toBe('进行中');
    });

    it('lets the owner cancel with a reason; the project is listed as 已取消 and kept', async () => {
      const reply = await bot.send(f.users.zhangsan, f.groups.dongfang, '/项目 取消 #3 原因=与#2重复');
      expect(reply).toContain('✅ 已取消项目 #3 **绿化补植** · 东方花园');
      expect(reply).toContain('原因：与＃2重复'.replace('＃', '#'));
      expect(reply).toContain('此后不计入得分、逾期和项目统计');
      expect(await project(3)).toMatchObject({ status: '已取消', cancelledAt: bot.now(), cancelledBy: 'zhangsan', cancelReason: '与#2重复' });
      expect(await bot.models.AuditEntry.countDocuments({ modelName: 'Project', op: 'update', actor: 'zhangsan' })).toBe(1);

      const open = await bot.send(f.users.stranger, f.groups.dongfang, '/项目 列表');
      expect(open).not.toContain('绿化补植');
      expect(open).toContain('进行中 2 · 逾期 0 · 已完成 0 · 已取消 1');
      const cancelled = await bot.send(f.users.stranger, f.groups.dongfang, '/项目 列表 已取消');
      expect(cancelled).toContain('#3 绿化补植');
      expect(cancelled).toContain('已取消');
      expect(await bot.send(f.users.stranger, f.groups.dongfang, '/项目 列表 全部')).toContain('#3 绿化补植');
    });

    it('tells who cancelled it to a second cancellation and to a progress report, and refuses a completed project', async () => {
      expect(await bot.send(f.users.admin, f.groups.dongfang, '/项目 取消 #3 原因=再取消')).toContain('❌ 项目 #3 绿化补植 已由 张三 于 9月16日取消（原因：与#2重复）');
      expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/进度 #3 50% 开工')).toContain('已取消');
      expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/项目 完成 #2')).toContain('🎉');
      expect(await bot.send(f.users.admin, f.groups.dongfang, '/项目 取消 #2 原因=x')).toContain('❌ 项目 #2 楼道照明 已完成，不能取消');
      expect((await project(2))?.status).toBe('已完成');
    });
  });

  describe('/项目 修改', () => {
    it('is for admins only: the owner and a street admin of another street are refused, nothing changes', async () => {
      expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/项目 修改 #1 标题=路面改造')).toContain('🚫 /项目 修改 仅限管理员使用');
      expect(await bot.send(f.users.jyAdmin, '', '/项目 修改 #4 标题=屋面防水')).toContain('🚫 /项目 修改 仅限「水泵厂家属院」的管理员使用');
      // Moving to a courtyard the admin does not cover.
      expect(await bot.send(f.users.jyAdmin, f.groups.dongfang, '/项目 修改 #1 楼院=水泵厂家属院')).toContain('🚫 /项目 修改 仅限「水泵厂家属院」的管理员使用');
      expect(await project(1)).toMatchObject({ title: '路面硬化', courtyard: f.courtyards.dongfang._id, edits: [] });
    });

    it('says what is wrong; a deadline is sent to /项目 延期', async () => {
      const deadline = await bot.send(f.users.admin, f.groups.dongfang, '/项目 修改 #1 截止=10月15日');
      expect(deadline).toContain('❌ 完成时限不在这里改：请用 `/项目 延期 #1 新日期 原因=…`');
      expect(await bot.send(f.users.admin, f.groups.dongfang, '/项目 修改 #1')).toContain('❌ 请写要改的内容，如 `责任人=李四`');
      expect(await bot.send(f.users.admin, f.groups.dongfang, '/项目 修改 #1 类别=土木')).toContain('「类别」应为 工程、管理、服务 之一，收到「土木」');
      expect(await bot.send(f.users.admin, f.groups.dongfang, '/项目 修改 #1 责任人=马六')).toContain('花名册里没有「马六」');
      expect(await bot.send(f.users.admin, f.groups.dongfang, '/项目 修改 #1 标题=路面硬化')).toContain('❌ 项目 #1 的这些内容与现在相同，没有修改');
      // #2 楼道照明 is done, so the title is free again for a new one, #5; then it is taken.
      expect(await bot.send(f.users.admin, '', '/项目 新建 楼道照明 类别=工程 截止=9月30日 责任人=张三 楼院=东方花园')).toContain('#5');
      expect(await bot.send(f.users.admin, f.groups.dongfang, '/项目 修改 #1 标题=楼道照明')).toContain('❌ 东方花园 已有进行中的项目 #5 楼道照明，标题不能重复');
      expect(await bot.send(f.users.admin, f.groups.dongfang, '/项目 修改 #2 标题=x')).toContain('❌ 项目 #2 楼道照明 已完成，不能再修改');
      expect(await project(1)).toMatchObject({ title: '路面硬化', edits: [] });
    });

    it('changes several fields at once, keeping each old → new value, who and when', async () => {
      const reply = await bot.send(f.users.jyAdmin, f.groups.dongfang, '/项目 修改 #1 标题=主路硬化 标准=平整无坑洼 责任人=李四 类别=管理 领域=安全');
      expect(reply).toContain('✏️ 已修改项目 #1 **主路硬化**');
      expect(reply).toContain('- 标题：路面硬化 → 主路硬化');
      expect(reply).toContain('- 标准：<font color="comment">未填写</font> → 平整无坑洼');
      expect(reply).toContain('- 责任人：张三（区医保局） → 李四（区残联）');
      expect(reply).toContain('- 类别：工程类 → 管理类');
      expect(reply).toContain('- 领域：未填写 → 维护安全');
      const stored = await project(1);
      expect(stored).toMatchObject({ title: '主路硬化', standard: '平整无坑洼', owner: f.cadres.lisi._id, category: '管理', area: '安全', deadline: day(9, 20) });
      expect(stored?.edits).toEqual([
        { field: '标题', from: '路面硬化', to: '主路硬化', by: 'jy-admin', at: bot.now() },
        { field: '标准', from: '', to: '平整无坑洼', by: 'jy-admin', at: bot.now() },
        { field: '责任人', from: '张三（区医保局）', to: '李四（区残联）', by: 'jy-admin', at: bot.now() },
        { field: '类别', from: '工程类', to: '管理类', by: 'jy-admin', at: bot.now() },
        { field: '领域', from: '未填写', to: '维护安全', by: 'jy-admin', at: bot.now() },
      ]);
    });

    it('lets two edits of different fields sent at once both land, each kept', async () => {
      const replies = await Promise.all([
        bot.send(f.users.admin, f.groups.dongfang, '/项目 修改 #5 标准=每层有灯'),
        bot.send(f.users.jyAdmin, f.groups.dongfang, '/项目 修改 #5 责任人=王五'),
      ]);
      expect(replies.map((r) => r.split('\n')[0])).toEqual(['✏️ 已修改项目 #5 **楼道照明**', '✏️ 已修改项目 #5 **楼道照明**']);
      const stored = await project(5);
      expect(stored).toMatchObject({ standard: '每层有灯', owner: f.cadres.wangwu._id });
      expect(stored?.edits.map((e) => e.field).sort()).toEqual(['标准', '责任人'].sort());
    });

    it('moves a project to another courtyard, with its street', async () => {
      bot.advance(60_000);
      const reply = await bot.send(f.users.admin, f.groups.dongfang, '/项目 修改 #1 楼院=水泵厂家属院');
      expect(reply).toContain('- 楼院：东方花园 → 水泵厂家属院');
      expect(await project(1)).toMatchObject({ courtyard: f.courtyards.shuibeng._id, street: f.streets.zhongxin._id });
      expect((await project(1))?.edits).toHaveLength(6);
      // Now out of 东方花园's list.
      expect(await bot.send(f.users.stranger, f.groups.dongfang, '/项目 列表')).not.toContain('主路硬化');
    });
  });

  describe('/项目 详情', () => {
    it('shows the record with its history: creation, progress, postponement, edits', async () => {
      bot.advance(60_000);
      expect(await bot.send(f.users.lisi, '', '/进度 #1 30% 已开工')).toContain('30%');
      bot.advance(60_000);
      expect(await bot.send(f.users.admin, '', '/项目 延期 #1 10月15日 原因=材料未到')).toContain('⏳');
      const reply = await bot.send(f.users.lisi, '', '/项目 详情 #1');
      expect(reply).toContain('**#1 主路硬化**');
      expect(reply).toContain('楼院：水泵厂家属院（中心路街道）');
      expect(reply).toContain('责任人：李四（区残联）');
      expect(reply).toContain('状态：已延期');
      expect(reply).toContain('**记录（5 条）**');
      const lines = reply.split('\n');
      const history = lines.slice(lines.indexOf('**记录（5 条）**') + 1);
      expect(history).toEqual([
        '9月16日 10:00 王管理 新建公示',
        '9月16日 10:00 赵街道 修改 标题 路面硬化 → 主路硬化；标准 （空） → 平整无坑洼；责任人 张三（区医保局） → 李四（区残联）；类别 工程类 → 管理类；领域 未填写 → 维护安全',
        '9月16日 10:01 王管理 修改 楼院 东方花园 → 水泵厂家属院',
        '9月16日 10:02 李四 进度 0% → 30%：已开工',
        '9月16日 10:03 王管理 延期 9月20日 → 10月15日：材料未到',
      ]);
    });

    it('shows a cancellation with who, when and why', async () => {
      const reply = await bot.send(f.users.stranger, f.groups.dongfang, '/项目 详情 #3');
      expect(reply).toContain('状态：<font color="warning">项目 #3 绿化补植 已由 张三 于 9月16日取消（原因：与#2重复）</font>');
      expect(reply).toMatch(/9月16日 10:00 张三 <font color="warning">取消<\/font>：与#2重复$/);
    });

    it('is for whoever may read the courtyard here; says what is wrong', async () => {
      expect(await bot.send(f.users.stranger, f.groups.dongfang, '/项目 详情 #4')).toContain('🚫 在本群只能查看「东方花园」');
      expect(await bot.send(f.users.stranger, '', '/项目 详情 #3')).toContain('🚫');
      expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/项目 详情')).toContain('❌ 缺少「项目」');
      expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/项目 详情 #88')).toContain('没有编号为 #88 的项目');
    });
  });

  it('answers an unknown subcommand briefly: the subcommands and where their examples are', async () => {
    const reply = await bot.send(f.users.admin, f.groups.dongfang, '/项目 删除 #1');
    expect(reply.split('\n')).toEqual(['❌ 「/项目」后面应为 新建、列表、完成、延期、取消、修改、详情 之一，收到「删除」', '各项用法：`/帮助 项目`']);
  });
});

describe('a cancelled project leaves the score from its cancellation on', () => {
  let bot: TestBot;
  let f: BasicFixture;

  beforeAll(async () => {
    // Tuesday of the week before: two projects; #2 done, #1 due Thursday and never done.
    bot = await createTestBot({ now: new Date('2020-09-08T02:00:00Z') });
    f = await bot.seed.basic();
    expect(await bot.send(f.users.admin, f.groups.dongfang, '/项目 新建 路面硬化 类别=工程 截止=9月10日 责任人=张三')).toContain('#1');
    expect(await bot.send(f.users.admin, f.groups.dongfang, '/项目 新建 楼道照明 类别=工程 截止=9月30日 责任人=张三')).toContain('#2');
    expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/进度 #2 100% 已完工')).toContain('🎉');
    bot.setNow('2020-09-16T02:00:00Z');
  });
  afterAll(() => bot.close());

  const progressOf = async (offsetWeeks: number) => {
    const rows = await computeRanking(bot.models, { level: 'courtyard', period: weekPeriod(bot.now(), offsetWeeks), now: bot.now() });
    return rows.find((r) => r.id === String(f.courtyards.dongfang._id))!;
  };

  it('counts it before: /查询, /逾期, the running week and last week', async () => {
    const card = await bot.send(f.users.zhangsan, f.groups.dongfang, '/查询');
    expect(card).toContain('整治项目：2 个 · 已完成 1 · <font color="warning">逾期 1</font>');
    expect(card).toContain('项目进度 50.0');
    expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/逾期')).toContain('路面硬化');
    expect((await progressOf(0)).parts.progress).toBe(50);
    expect((await progressOf(-1)).parts.progress).toBe(50);
  });

  it('leaves every figure after the cancellation; last week (judged before it) and its published snapshot keep it', async () => {
    const week = weekPeriod(bot.now(), -1);
    const { snapshot } = await publishPeriod(bot.models, { period: week, now: bot.now(), by: 'test' });
    const published = JSON.stringify(snapshot.rows);

    bot.advance(60_000);
    expect(await bot.send(f.users.admin, f.groups.dongfang, '/项目 取消 #1 原因=录错了')).toContain('✅ 已取消项目 #1');
    bot.advance(60_000);

    const card = await bot.send(f.users.zhangsan, f.groups.dongfang, '/查询');
    expect(card).toContain('整治项目：1 个 · 已完成 1\n');
    expect(card).toContain('项目进度 100.0');
    expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/逾期')).not.toContain('路面硬化');
    expect(await findOverdue(bot.models, { scope: {}, now: bot.now() })).toEqual([]);
    // The dashboard's courtyard card.
    const dashboard = await buildCourtyardCard(bot.models, f.courtyards.dongfang, { now: bot.now(), calendar: createCalendar() });
    expect(dashboard.projects.map((p) => p.no)).toEqual([2]);
    const running = await progressOf(0);
    expect(running.parts.progress).toBe(100);
    expect(running.overdueByKind.project).toBe(0);

    // Judged at last week's end, before the cancellation: it was open and late then.
    const before = await progressOf(-1);
    expect(before.parts.progress).toBe(50);
    expect(await findOverdue(bot.models, { scope: {}, now: week.end, kinds: ['project'] })).toHaveLength(1);
    expect(JSON.stringify((await findSnapshot(bot.models, week))!.rows)).toBe(published);
  });
});
