import type { CadreDoc } from '../../src/db/models';
import { utf8Bytes } from '../../src/text/markdown';
import { beijingDate } from '../../src/services/beijing-time';
import help from '../../commands/help';
import progress from '../../commands/progress';
import projectCommand from '../../commands/project';
import { createTestBot, type BasicFixture, type TestBot } from '../helpers/bot';

let bot: TestBot;
let f: BasicFixture;
let zhou: CadreDoc;
const zhouUser = { userId: 'zhou', name: '周七' };

beforeAll(async () => {
  bot = await createTestBot({ commands: [help, projectCommand, progress] });
  f = await bot.seed.basic();
  // A second cadre of 东方花园: may report, but not postpone what 张三 owns.
  zhou = await bot.seed.cadre({ name: '周七', unit: '区民政局', userId: 'zhou', courtyards: [f.courtyards.dongfang] });
});
afterAll(() => bot.close());

const project = (no: number) => bot.models.Project.findOne({ no }).lean();
const day = (m: number, d: number) => beijingDate(2020, m, d)!;

describe('/项目 新建', () => {
  it('publishes a project with its number, content, standard, owner and deadline', async () => {
    const reply = await bot.send(
      f.users.admin,
      f.groups.dongfang,
      '/项目 新建 路面硬化 类别=工程 截止=9月20日 责任人=张三 领域=美化环境 标准=路面平整无坑洼',
    );
    expect(reply).toContain('✅ 项目已公示');
    expect(reply).toContain('**#1 路面硬化**');
    expect(reply).toContain('楼院：东方花园（济源路街道）');
    expect(reply).toContain('类别：工程类 · 美化环境');
    expect(reply).toContain('整治标准：路面平整无坑洼');
    expect(reply).toContain('责任人：张三（区医保局）');
    expect(reply).toContain('完成时限：9月20日（还有 4 天）');
    expect(reply).toContain('`/进度 #1 50% 完成情况`');
    expect(await project(1)).toMatchObject({
      courtyard: f.courtyards.dongfang._id,
      street: f.streets.jiyuan._id,
      category: '工程',
      area: '环境',
      title: '路面硬化',
      standard: '路面平整无坑洼',
      owner: f.cadres.zhangsan._id,
      deadline: day(9, 20),
      percent: 0,
      status: '进行中',
      createdBy: 'admin',
      createdAt: bot.now(),
    });
    expect(await bot.models.AuditEntry.findOne({ modelName: 'Project', actor: 'admin' }).lean()).toMatchObject({ op: 'create' });
  });

  it('lets a cadre of the courtyard create one, in positional form, numbered next', async () => {
    const reply = await bot.send(f.users.zhangsan, f.groups.dongfang, '/项目 新建 楼道照明 服务类 9.30 张三');
    expect(reply).toContain('**#2 楼道照明**');
    expect(reply).toContain('整治标准：<font color="comment">未填写</font>');
    expect(await project(2)).toMatchObject({ category: '服务', deadline: day(9, 30), createdBy: 'zhangsan' });
  });

  it('takes the courtyard named, and notes an owner who cannot report yet', async () => {
    const reply = await bot.send(f.users.jyAdmin, f.groups.jiyuan, '/project new 绿化补植 类别=服务 截止=月底 责任人=王五 楼院=陇海安居');
    expect(reply).toContain('楼院：陇海安居（济源路街道）');
    expect(reply).toContain('王五 还没有关联企业微信');
    expect(await project(3)).toMatchObject({ courtyard: f.courtyards.longhai._id, deadline: day(9, 30), owner: f.cadres.wangwu._id });
  });

  it('refuses a cadre of another courtyard and an admin of another street, creating nothing', async () => {
    const before = await bot.models.Project.countDocuments();
    const cadre = await bot.send(f.users.lisi, f.groups.dongfang, '/项目 新建 屋顶防水 类别=工程 截止=9月30日 责任人=李四');
    expect(cadre).toContain('🚫 /项目 新建 仅限「东方花园」的管理员或分包干部使用');
    expect(cadre).toContain('张三（分包干部）');
    const admin = await bot.send(f.users.jyAdmin, '', '/项目 新建 屋顶防水 类别=工程 截止=9月30日 责任人=李四 楼院=水泵厂家属院');
    expect(admin).toContain('🚫 /项目 新建 仅限「水泵厂家属院」的管理员或分包干部使用');
    expect(await bot.send(f.users.stranger, f.groups.dongfang, '/项目 新建 x 类别=工程 截止=9月30日 责任人=张三')).toContain('你还没有登记');
    expect(await bot.models.Project.countDocuments()).toBe(before);
  });

  it('says what is wrong with the arguments, creating nothing', async () => {
    const before = await bot.models.Project.countDocuments();
    const send = (text: string) => bot.send(f.users.admin, f.groups.dongfang, text);
    const missing = await send('/项目 新建 屋顶防水 截止=9月30日 责任人=张三');
    expect(missing).toContain('❌ 缺少「类别」');
    expect(missing).toContain('用法：`/项目 新建 路面硬化 类别=工程 截止=9月20日 责任人=张三`');
    expect(await send('/项目 新建 屋顶防水 类别=土木 截止=9月30日 责任人=张三')).toContain('「类别」应为 工程、管理、服务 之一，收到「土木」');
    expect(await send('/项目 新建 屋顶防水 类别=工程 截止=9月15日 责任人=张三')).toContain('❌ 9月15日已经过了（今天是9月16日），请写今天或以后的日期；如指明年，请写 明年9月15日');
    expect(await send('/项目 新建 屋顶防水 类别=工程 截止=2020-09-01 责任人=张三')).toContain('❌ 9月1日已经过了（今天是9月16日）');
    expect(await send('/项目 新建 屋顶防水 类别=工程 截止=下辈子 责任人=张三')).toContain('看不懂日期「下辈子」');
    expect(await send('/项目 新建 屋顶防水 类别=工程 截止=9月30日 责任人=马六')).toContain('花名册里没有「马六」');
    expect(await send('/项目 新建 屋顶防水 类别=工程 截止=9月30日 责任人=张三 领域=绿化')).toContain('「领域」应为 卫生、环境、秩序、安全、文明 之一');
    expect(await send('/项目 新建 #5 类别=工程 截止=9月30日 责任人=张三')).toContain('项目内容不能只是数字');
    expect(await send('/项目 新建 路面硬化 类别=工程 截止=9月30日 责任人=张三')).toContain('东方花园 已有进行中的项目 #1 路面硬化');
    expect(await bot.send(f.users.admin, 'grp-unbound', '/项目 新建 屋顶防水 类别=工程 截止=9月30日 责任人=张三')).toContain('请写明楼院');
    expect(await bot.models.Project.countDocuments()).toBe(before);
    expect((await bot.models.Sequence.findById('project').lean())?.value).toBe(3);
  });
});

describe('/项目 列表', () => {
  it('lists the group courtyard’s open projects with progress and days left', async () => {
    const reply = await bot.send(f.users.stranger, f.groups.dongfang, '/项目');
    expect(reply).toContain('**东方花园 · 项目（进行中）**');
    expect(reply).toContain('进行中 2 · 逾期 0 · 已完成 0');
    expect(reply).toContain('**#1 路面硬化** · 张三\n░░░░░░░░░░ 0% · 截止 9月20日 · 还有 4 天');
    expect(reply.indexOf('#1 路面硬化')).toBeLessThan(reply.indexOf('#2 楼道照明'));
    expect(reply).not.toContain('绿化补植');
  });

  it('names the courtyard in a street group, and takes a place, a status and a page in any order', async () => {
    const street = await bot.send(f.users.stranger, f.groups.jiyuan, '/项目 列表');
    expect(street).toContain('**#3 绿化补植** · 陇海安居 · 王五');
    expect(await bot.send(f.users.leader, '', '/项目 列表 已完成 陇海安居')).toContain('没有已完成的项目');
    expect(await bot.send(f.users.leader, '', '/项目 列表 中心路')).toContain('没有进行中的项目');
  });

  it('shows what is overdue, by how many days', async () => {
    bot.setNow('2020-09-22T02:00:00Z');
    const reply = await bot.send(f.users.stranger, f.groups.jiyuan, '/项目 列表 逾期');
    expect(reply).toContain('**济源路街道 · 项目（逾期）**');
    expect(reply).toContain('<font color="warning">逾期 1</font>');
    expect(reply).toContain('#1 路面硬化');
    expect(reply).toContain('<font color="warning">逾期 2 天</font>');
    expect(reply).not.toContain('#2 楼道照明');
  });

  it('pages a long list, each page within WeCom’s size limit', async () => {
    const yard = await bot.seed.courtyard('长列表院', { street: f.streets.zhongxin });
    for (let i = 0; i < 60; i++) {
      await bot.models.Project.create({
        no: 1000 + i,
        courtyard: yard._id,
        street: f.streets.zhongxin._id,
        category: '工程',
        title: `第${i}号楼外墙粉刷及雨水管更换工程`,
        owner: f.cadres.lisi._id,
        deadline: day(10, 1 + (i % 20)),
        createdAt: bot.now(),
      });
    }
    const first = await bot.send(f.users.leader, '', '/项目 列表 长列表院');
    const pages = Number(/第 1\/(\d+) 页/.exec(first)?.[1]);
    expect(pages).toBeGreaterThan(1);
    expect(first).toContain('下一页：`/项目 列表 长列表院 2`');
    const second = await bot.send(f.users.leader, '', '/项目 列表 长列表院 2');
    expect(second).toContain(`第 2/${pages} 页`);
    for (const page of [first, second]) expect(utf8Bytes(page)).toBeLessThanOrEqual(4096);
    await bot.models.Project.deleteMany({ courtyard: yard._id });
  });

  it('says what is wrong with a list word', async () => {
    const reply = await bot.send(f.users.stranger, '', '/项目 列表 火星');
    expect(reply).toContain('❌ 没有找到楼院「火星」');
    expect(reply).toContain('用法：`/项目 列表`');
    expect(await bot.send(f.users.stranger, '', '/项目 列表 逾期 已完成')).toContain('范围、状态、页码各写一个');
  });
});

describe('/项目 延期', () => {
  it('refuses a cadre who does not own the project, and a stranger, changing nothing', async () => {
    const reply = await bot.send(zhouUser, f.groups.dongfang, '/项目 延期 #1 10月15日 原因=材料未到');
    expect(reply).toContain('🚫 /项目 延期 仅限「东方花园」的管理员或项目责任人使用');
    expect(reply).toContain('张三（项目责任人）');
    expect(await bot.send(f.users.lisi, f.groups.dongfang, '/项目 延期 #1 10月15日 原因=材料未到')).toContain('🚫');
    expect(await project(1)).toMatchObject({ deadline: day(9, 20), status: '进行中', postponements: [] });
    expect(zhou.courtyards).toHaveLength(1);
  });

  it('needs a reason and a later date', async () => {
    const send = (text: string) => bot.send(f.users.zhangsan, f.groups.dongfang, text);
    const noReason = await send('/项目 延期 #1 10月15日');
    expect(noReason).toContain('❌ 缺少「原因」');
    expect(noReason).toContain('用法：`/项目 延期 #12 10月15日 原因=材料未到`');
    expect(await send('/项目 延期 #1 9月18日 原因=提前')).toContain('9月18日已经过了');
    expect(await send('/项目 延期 #1 明年 原因=x')).toContain('❌ 「明年」没有说是哪一天，请写具体日期，如 明年1月15日、明年3月底、明年年底');
    expect(await project(1)).toMatchObject({ deadline: day(9, 20), postponements: [] });
  });

  it('lets the owner postpone with a reason, keeping the old deadline, who and when', async () => {
    const reply = await bot.send(f.users.zhangsan, f.groups.dongfang, '/项目 延期 #1 10月15日 原因=沥青材料未到');
    expect(reply).toContain('⏳ 项目 #1 **路面硬化** 延期至 **10月15日**（还有 23 天）');
    expect(reply).toContain('原截止：9月20日 · 第 1 次延期');
    expect(reply).toContain('原因：沥青材料未到');
    expect(await project(1)).toMatchObject({
      deadline: day(10, 15),
      status: '已延期',
      postponements: [{ from: day(9, 20), to: day(10, 15), reason: '沥青材料未到', by: 'zhangsan', at: bot.now() }],
    });
  });

  it('lets an admin postpone again; the first deadline stays known', async () => {
    const reply = await bot.send(f.users.jyAdmin, f.groups.jiyuan, '/项目 延期 #1 新截止=10月20日 原因=雨季停工');
    expect(reply).toContain('第 2 次延期');
    expect(reply).toContain('原定时限 9月20日 保留备查');
    const p = await project(1);
    expect(p?.postponements.map((x) => [x.from, x.to])).toEqual([
      [day(9, 20), day(10, 15)],
      [day(10, 15), day(10, 20)],
    ]);
  });
});

describe('/项目 完成', () => {
  it('refuses a cadre of another courtyard', async () => {
    const reply = await bot.send(f.users.lisi, f.groups.dongfang, '/项目 完成 #1');
    expect(reply).toContain('🚫 /项目 完成 仅限「东方花园」的管理员或分包干部使用');
    expect(await project(1)).toMatchObject({ status: '已延期', percent: 0 });
  });

  it('completes a project on time against the deadline in force, and records the report', async () => {
    const reply = await bot.send(f.users.zhangsan, f.groups.dongfang, '/项目 完成 #1 已通过验收');
    expect(reply).toContain('🎉 项目 #1 **路面硬化** 已完成 9月22日（按时）');
    expect(reply).toContain('原定 9月20日，延期 2 次');
    expect(reply).toContain('说明：已通过验收');
    expect(await project(1)).toMatchObject({ status: '已完成', percent: 100, completedAt: bot.now() });
    const report = await bot.models.ProgressReport.findOne({ project: (await project(1))!._id }).lean();
    expect(report).toMatchObject({ percent: 100, previousPercent: 0, note: '已通过验收', userId: 'zhangsan', cadre: f.cadres.zhangsan._id });
  });

  it('says when the project is late, or already done', async () => {
    bot.setNow('2020-10-02T02:00:00Z');
    expect(await bot.send(f.users.admin, f.groups.dongfang, '/项目 完成 楼道照明')).toContain('已完成 10月2日（<font color="warning">逾期 2 天</font>）');
    expect(await bot.send(f.users.admin, f.groups.dongfang, '/项目 完成 #1')).toContain('❌ 项目 #1 路面硬化 已由 张三 于 9月22日完成，无需再报');
    expect(await bot.send(f.users.admin, f.groups.dongfang, '/项目 完成')).toContain('缺少「项目」');
    expect(await bot.send(f.users.admin, f.groups.dongfang, '/项目 完成 #77')).toContain('没有编号为 #77 的项目');
    expect(await bot.models.ProgressReport.countDocuments({ percent: 100 })).toBe(2);
  });

  it('lists completed projects with how they finished', async () => {
    const reply = await bot.send(f.users.stranger, f.groups.dongfang, '/项目 列表 已完成');
    expect(reply).toContain('进行中 0 · 逾期 0 · 已完成 2');
    expect(reply).toContain('已完成 9月22日（按时） · 延期 2 次（原定 9月20日）');
    expect(reply.indexOf('#2 楼道照明')).toBeLessThan(reply.indexOf('#1 路面硬化'));
  });
});

describe('/项目', () => {
  it('rejects an unknown sub-action with the list of actions', async () => {
    expect(await bot.send(f.users.admin, f.groups.dongfang, '/项目 删除 #1')).toContain('「/项目」后面应为 新建、列表、完成、延期、取消、修改、详情 之一，收到「删除」');
  });
});
