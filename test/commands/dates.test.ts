import { beijingDate } from '../../src/services/beijing-time';
import { createTestBot, type BasicFixture, type TestBot } from '../helpers/bot';

/*
 * Dates typed without a year, through signed callbacks: deadlines and postponements take the
 * next occurrence, back-dated records the last one, and replies name a year that is not the
 * current one. Each test sets its own clock.
 */

let bot: TestBot;
let f: BasicFixture;

beforeAll(async () => {
  bot = await createTestBot();
  f = await bot.seed.basic();
});
afterAll(() => bot.close());

/** Friday 2020-12-25 10:00 Beijing time. */
const CHRISTMAS = '2020-12-25T10:00:00+08:00';
const project = (title: string) => bot.models.Project.findOne({ title }).lean();
const admin = (text: string) => bot.send(f.users.admin, f.groups.dongfang, text);

describe('in December', () => {
  it('/项目 新建 截止=1月15日 sets next January’s deadline and names the year', async () => {
    bot.setNow(CHRISTMAS);
    const reply = await admin('/项目 新建 外墙粉刷 类别=工程 截止=1月15日 责任人=张三');
    expect(reply).toContain('✅ 项目已公示');
    expect(reply).toContain('完成时限：2021年1月15日（还有 21 天）');
    expect(await project('外墙粉刷')).toMatchObject({ deadline: beijingDate(2021, 1, 15), status: '进行中' });

    const list = await bot.send(f.users.zhangsan, f.groups.dongfang, '/项目 列表');
    expect(list).toContain('截止 2021年1月15日 · 还有 21 天');
  });

  it('/项目 新建 takes 明年3月, 下个月15日 and 年底', async () => {
    bot.setNow(CHRISTMAS);
    expect(await admin('/项目 新建 屋顶防水 类别=工程 截止=明年3月 责任人=张三')).toContain('完成时限：2021年3月31日');
    expect(await admin('/项目 新建 楼道照明 类别=工程 截止=下个月15日 责任人=张三')).toContain('完成时限：2021年1月15日');
    expect(await admin('/项目 新建 清理杂物 类别=服务 截止=年底 责任人=张三')).toContain('完成时限：12月31日（还有 6 天）');
    expect(await project('屋顶防水')).toMatchObject({ deadline: beijingDate(2021, 3, 31) });
    expect(await project('楼道照明')).toMatchObject({ deadline: beijingDate(2021, 1, 15) });
    expect(await project('清理杂物')).toMatchObject({ deadline: beijingDate(2020, 12, 31) });
  });

  it('/项目 延期 #n 1月15日 moves the deadline into next January and names the year', async () => {
    bot.setNow(CHRISTMAS);
    await admin('/项目 新建 路灯维修 类别=工程 截止=12月28日 责任人=张三');
    const { no } = (await project('路灯维修'))!;
    const reply = await bot.send(f.users.zhangsan, f.groups.dongfang, `/项目 延期 #${no} 1月15日 原因=灯具缺货`);
    expect(reply).toContain(`⏳ 项目 #${no} **路灯维修** 延期至 **2021年1月15日**（还有 21 天）`);
    expect(reply).toContain('原截止：12月28日 · 第 1 次延期');
    expect(await project('路灯维修')).toMatchObject({
      deadline: beijingDate(2021, 1, 15),
      status: '已延期',
      postponements: [{ from: beijingDate(2020, 12, 28), to: beijingDate(2021, 1, 15), reason: '灯具缺货' }],
    });
  });

  it('/项目 延期 still wants a day after the deadline in force, and after today', async () => {
    bot.setNow(CHRISTMAS);
    await admin('/项目 新建 绿化补植 类别=服务 截止=12月31日 责任人=张三');
    const { no } = (await project('绿化补植'))!;
    const send = (text: string) => bot.send(f.users.zhangsan, f.groups.dongfang, text);
    expect(await send(`/项目 延期 #${no} 12月28日 原因=x`)).toContain('❌ 新的截止日期应晚于现在的 12月31日');
    const slip = await send(`/项目 延期 #${no} 12月20日 原因=x`);
    expect(slip).toContain('❌ 12月20日已经过了（今天是12月25日），请写今天或以后的日期；如指明年，请写 明年12月20日');
    expect(slip).toContain('用法：`/项目 延期 #12 10月15日 原因=材料未到`');
    expect(await project('绿化补植')).toMatchObject({ deadline: beijingDate(2020, 12, 31), postponements: [] });
  });

  it('/节点 新建 截止=1月15日 sets next January’s milestone', async () => {
    bot.setNow(CHRISTMAS);
    const reply = await admin('/节点 新建 自管会全覆盖 截止=1月15日');
    expect(reply).toContain('✅ 节点已设定：**自管会全覆盖** · 2021年1月15日前');
    expect(await bot.models.Milestone.findOne({ title: '自管会全覆盖' }).lean()).toMatchObject({ deadline: beijingDate(2021, 1, 15) });
  });
});

describe('in January', () => {
  it('/下沉 日期=12月31日 is last December, in last week', async () => {
    bot.setNow('2021-01-04T10:00:00+08:00'); // a Monday
    const reply = await bot.send(f.users.zhangsan, f.groups.dongfang, '/下沉 半天 清理杂物 日期=12月31日');
    expect(reply).toContain('✅ 已登记下沉：**张三** · 东方花园 · 2020年12月31日 · 4小时');
    expect(reply).toContain('2020年12月28日那周累计 **4小时**');
    expect(await bot.models.Visit.findOne({ cadre: f.cadres.zhangsan._id, date: beijingDate(2020, 12, 31) }).lean()).toMatchObject({ hours: 4, activities: ['清理杂物'] });
  });

  it('/下沉 日期=周五 is the Friday just gone', async () => {
    bot.setNow('2021-01-12T10:00:00+08:00'); // a Tuesday
    const reply = await bot.send(f.users.zhangsan, f.groups.dongfang, '/下沉 2小时 政策宣讲 日期=周五');
    expect(reply).toContain('东方花园 · 1月8日 · 2小时');
    expect(reply).toContain('1月4日那周累计 **2小时**');
    expect(await bot.models.Visit.findOne({ cadre: f.cadres.zhangsan._id, date: beijingDate(2021, 1, 8) }).lean()).toMatchObject({ hours: 2 });
  });

  it('/下沉 refuses a day to come, naming its year', async () => {
    bot.setNow('2021-01-04T10:00:00+08:00');
    const before = await bot.models.Visit.countDocuments();
    const reply = await bot.send(f.users.zhangsan, f.groups.dongfang, '/下沉 半天 日期=明年1月1日');
    expect(reply).toContain('❌ 不能登记以后的日期（2022年1月1日）');
    expect(reply).toContain('用法：`/下沉 半天 清理杂物 政策宣讲`');
    expect(await bot.models.Visit.countDocuments()).toBe(before);
  });

  it('/评分 月份=12月 is last December', async () => {
    bot.setNow('2021-01-06T10:00:00+08:00');
    expect(await bot.send(f.users.leader, '', '/评分 济源路 91 月份=12月')).toContain('✅ 已记录：**济源路街道** 2020年12月 **91 分**');
    expect(await bot.models.InspectionScore.findOne({ by: 'leader', score: 91 }).lean()).toMatchObject({ month: '2020-12' });
  });
});

describe('the README’s example 截止=9月20日', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])('is taken on the 10th of month %i, as the next 20 September', async (month) => {
    const year = 2021;
    bot.setNow(`${year}-${String(month).padStart(2, '0')}-10T10:00:00+08:00`);
    const title = `路面硬化${month}`;
    const reply = await admin(`/项目 新建 ${title} 类别=工程 截止=9月20日 责任人=张三`);
    const next = month <= 9 ? year : year + 1;
    expect(reply).toContain(`完成时限：${next === year ? '' : `${next}年`}9月20日`);
    expect(await project(title)).toMatchObject({ deadline: beijingDate(next, 9, 20) });
  });
});
