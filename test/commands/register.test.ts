import { createTestBot, type BasicFixture, type TestBot } from '../helpers/bot';

let bot: TestBot;
let f: BasicFixture;

beforeAll(async () => {
  bot = await createTestBot();
  f = await bot.seed.basic();
  await bot.seed.cadre({ name: '张伟', unit: '区财政局' });
  await bot.seed.cadre({ name: '张伟', unit: '区住建局', courtyards: [f.courtyards.longhai] });
  await bot.seed.cadre({ name: '孙管理', unit: '中心路街道办事处', roles: ['admin', 'cadre'], scope: f.streets.zhongxin });
});
afterAll(() => bot.close());

const entry = (name: string, unit: string) => bot.models.Cadre.findOne({ name, unit }).lean();

describe('/登记', () => {
  it('links the caller to their roster entry', async () => {
    const reply = await bot.send(f.users.wangwu, f.groups.dongfang, '/登记 王五 区教育局');
    expect(reply).toContain('✅ 登记成功：**王五（区教育局）**');
    expect(reply).toContain('分包楼院：东方花园');
    expect(await entry('王五', '区教育局')).toMatchObject({ userId: 'wangwu', userIdSource: 'register', linkedAt: bot.now() });
    const audit = await bot.models.AuditEntry.findOne({ actor: 'wangwu' }).lean();
    expect(audit).toMatchObject({ op: 'update', modelName: 'Cadre', after: { userId: 'wangwu' } });
    expect((audit!.before as { userId?: string }).userId).toBeUndefined();
  });

  it('then knows the caller as a cadre', async () => {
    expect(await bot.send(f.users.wangwu, f.groups.dongfang, '/帮助')).toContain('王五 · 分包干部');
    expect(await bot.send(f.users.wangwu, f.groups.dongfang, '/register 王五 区教育局')).toContain('你已登记为 **王五（区教育局）**');
  });

  it('refuses an entry someone else has linked, and changes nothing', async () => {
    const reply = await bot.send({ userId: 'impostor' }, f.groups.dongfang, '/登记 王五 区教育局');
    expect(reply).toContain('❌ 王五（区教育局） 已由另一个企业微信账号登记');
    expect(await entry('王五', '区教育局')).toMatchObject({ userId: 'wangwu' });
    expect(await bot.models.AuditEntry.countDocuments({ actor: 'impostor' })).toBe(0);
  });

  it('refuses a caller who is already someone else on the roster', async () => {
    const reply = await bot.send(f.users.zhangsan, f.groups.dongfang, '/登记 张伟 区财政局');
    expect(reply).toContain('你的企业微信账号已登记为 张三（区医保局）');
    expect((await entry('张伟', '区财政局'))?.userId).toBeUndefined();
  });

  it('asks for the unit when two people share the name, and accepts part of it', async () => {
    const reply = await bot.send({ userId: 'zhangwei' }, '', '/登记 张伟');
    expect(reply).toContain('花名册里有 2 位「张伟」：区住建局、区财政局。请同时写上单位');
    expect(reply).toContain('用法：`/登记 张三 区医保局`');
    expect(await bot.send({ userId: 'zhangwei' }, '', '/登记 姓名=张伟 单位=住建局')).toContain('✅ 登记成功：**张伟（区住建局）**');
    expect(await entry('张伟', '区住建局')).toMatchObject({ userId: 'zhangwei' });
  });

  it('says when the name or the unit is not on the roster', async () => {
    expect(await bot.send({ userId: 'x1' }, '', '/登记 赵六 区医保局')).toContain('花名册里没有「赵六（区医保局）」');
    expect(await bot.send({ userId: 'x1' }, '', '/登记 张三 区残联')).toContain('花名册中的「张三」在：区医保局');
    expect(await bot.models.Cadre.countDocuments({ userId: 'x1' })).toBe(0);
  });

  it('says what is missing', async () => {
    const reply = await bot.send({ userId: 'x2' }, '', '/登记');
    expect(reply).toContain('❌ 缺少「姓名」');
    expect(reply).toContain('用法：`/登记 张三 区医保局`');
  });

  it('never grants admin rights: those need the userid in the roster', async () => {
    const reply = await bot.send({ userId: 'sun' }, '', '/登记 孙管理 中心路街道办事处');
    expect(reply).toContain('✅ 登记成功');
    expect(reply).toContain('管理员、领导权限需要在花名册里填写企业微信账号');
    expect(await bot.send({ userId: 'sun' }, 'grp-sun', '/绑定 楼院 水泵厂家属院')).toContain('🚫 /绑定 楼院 仅限管理员使用');
    expect((await bot.models.Group.findOne({ chatId: 'grp-sun' }).lean())?.scope?.kind).toBeUndefined();
  });
});
