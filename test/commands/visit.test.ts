import { createTestBot, type BasicFixture, type TestBot } from '../helpers/bot';

let bot: TestBot;
let f: BasicFixture;

beforeAll(async () => {
  bot = await createTestBot(); // Wednesday 2020-09-16 10:00
  f = await bot.seed.basic();
});
afterAll(() => bot.close());

const visits = () => bot.models.Visit.find({}).sort({ date: 1 }).lean();

describe('/下沉', () => {
  it('logs time on site in the group’s courtyard and shows the week so far', async () => {
    const reply = await bot.send(f.users.zhangsan, f.groups.dongfang, '/下沉 3小时 清理杂物 政策宣讲');
    expect(reply).toContain('✅ 已登记下沉：**张三** · 东方花园 · 9月16日 · 3小时');
    expect(reply).toContain('内容：清理杂物、政策宣讲');
    expect(reply).toContain('本周累计 **3小时**（1 次）');
    expect(reply).toContain('还差 1小时满半天');
    expect(await visits()).toMatchObject([
      {
        cadre: f.cadres.zhangsan._id,
        courtyard: f.courtyards.dongfang._id,
        street: f.streets.jiyuan._id,
        date: new Date('2020-09-15T16:00:00Z'),
        hours: 3,
        activities: ['清理杂物', '政策宣讲'],
        createdAt: bot.now(),
      },
    ]);
  });

  it('adds up the week (Monday to Sunday) and says when the half day is met; 1:1 chats use the only courtyard', async () => {
    const reply = await bot.send(f.users.zhangsan, '', '/visit 2h 征集意见、打扫卫生 日期=9月14日');
    expect(reply).toContain('东方花园 · 9月14日 · 2小时');
    expect(reply).toContain('本周累计 **5小时**（2 次）');
    expect(reply).toContain('已满每周半天 ✅');
    expect(await bot.models.Visit.findOne({ date: new Date('2020-09-13T16:00:00Z') }).lean()).toMatchObject({ date: new Date('2020-09-13T16:00:00Z'), hours: 2, activities: ['征集意见', '打扫卫生'] });
  });

  it('counts a day of last week in that week', async () => {
    const reply = await bot.send(f.users.zhangsan, f.groups.dongfang, '/下沉 半天 健康义诊 日期=9月13日');
    expect(reply).toContain('9月13日 · 4小时');
    expect(reply).toContain('9月7日那周累计 **4小时**（1 次）');
    expect(await bot.models.Visit.countDocuments({ cadre: f.cadres.zhangsan._id })).toBe(3);
  });

  it('asks which courtyard when the cadre has several and the group is not a courtyard’s', async () => {
    const reply = await bot.send(f.users.lisi, '', '/下沉 半天');
    expect(reply).toContain('❌ 请写明楼院：你分包 陇海安居、水泵厂家属院');
    expect(reply).toContain('用法：`/下沉 半天 清理杂物 政策宣讲`');
    expect(await bot.send(f.users.lisi, '', '/下沉 全天 楼院=水泵厂家属院')).toContain('✅ 已登记下沉：**李四** · 水泵厂家属院 · 9月16日 · 8小时');
    expect(await bot.models.Visit.countDocuments({ cadre: f.cadres.lisi._id })).toBe(1);
  });

  it('refuses a courtyard the cadre is not assigned to, and non-cadres', async () => {
    expect(await bot.send(f.users.lisi, f.groups.dongfang, '/下沉 半天')).toContain('🚫 /下沉 仅限「东方花园」的分包干部使用');
    const admin = await bot.send(f.users.admin, f.groups.dongfang, '/下沉 半天');
    expect(admin).toContain('🚫 /下沉 仅限分包干部使用');
    expect(await bot.models.Visit.countDocuments({ courtyard: f.courtyards.dongfang._id, cadre: { $ne: f.cadres.zhangsan._id } })).toBe(0);
  });

  it('says what is wrong with the time or the date, and logs nothing', async () => {
    const before = await bot.models.Visit.countDocuments();
    const order = await bot.send(f.users.zhangsan, f.groups.dongfang, '/下沉 清理杂物 半天');
    expect(order).toContain('❌ 看不懂时长「清理杂物」');
    expect(order).toContain('用法：`/下沉 半天 清理杂物 政策宣讲`');
    expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/下沉')).toContain('❌ 缺少「时长」');
    expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/下沉 30小时')).toContain('时长应在 0 到 24 小时之间');
    expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/下沉 半天 日期=明天')).toContain('❌ 不能登记以后的日期（9月17日）');
    expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/下沉 半天 日期=8月20日')).toContain('❌ 只能补登本周和上周的下沉（9月7日 以后）');
    expect(await bot.models.Visit.countDocuments()).toBe(before);
  });
});
