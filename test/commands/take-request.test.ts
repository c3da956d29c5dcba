import { createTestBot, type BasicFixture, type TestBot } from '../helpers/bot';

let bot: TestBot;
let f: BasicFixture;

beforeAll(async () => {
  bot = await createTestBot();
  f = await bot.seed.basic();
  await bot.send(f.users.stranger, f.groups.dongfang, '/诉求 3号楼楼道灯不亮'); // #1
  await bot.send(f.users.stranger, f.groups.dongfang, '/诉求 单元门关不上'); // #2
});
afterAll(() => bot.close());

const request = (no: number) => bot.models.ResidentRequest.findOne({ no }).lean();

describe('/接单', () => {
  it('refuses a cadre of another courtyard, and names who may', async () => {
    const reply = await bot.send(f.users.lisi, f.groups.dongfang, '/接单 #1');
    expect(reply).toContain('🚫 /接单 仅限「东方花园」的分包干部或管理员使用');
    expect(reply).toContain('张三（分包干部）');
    expect(await request(1)).toMatchObject({ status: '点单' });
    expect((await request(1))?.assignee).toBeUndefined();
  });

  it('makes a cadre of the courtyard the assignee', async () => {
    bot.advance(30 * 60_000);
    const reply = await bot.send(f.users.zhangsan, f.groups.dongfang, '/接单 #1');
    expect(reply).toContain('✅ **张三** 已接单 **#1** · 东方花园');
    expect(reply).toContain('> 3号楼楼道灯不亮');
    expect(reply).toContain('请在 **9月18日（周五）**前反馈：`/反馈 #1 进展`');
    expect(await request(1)).toMatchObject({ status: '已接单', assignee: f.cadres.zhangsan._id, acceptedAt: bot.now() });
  });

  it('says who has it when it is taken already, and changes nothing', async () => {
    expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/接单 #1')).toContain('❌ 你已接了 #1');
    const reply = await bot.send(f.users.jyAdmin, f.groups.dongfang, '/take 1');
    expect(reply).toContain('❌ #1 已由 张三 接单（9月16日 10:30）');
    expect(await request(1)).toMatchObject({ assignee: f.cadres.zhangsan._id });
  });

  it('lets an admin of the street take one', async () => {
    expect(await bot.send(f.users.jyAdmin, f.groups.jiyuan, '/接单 #2')).toContain('✅ **赵街道** 已接单 **#2** · 东方花园');
    expect(await request(2)).toMatchObject({ status: '已接单', assignee: f.cadres.jyAdmin._id });
  });

  it('says what is wrong with the number', async () => {
    const missing = await bot.send(f.users.zhangsan, f.groups.dongfang, '/接单');
    expect(missing).toContain('❌ 缺少「诉求」');
    expect(missing).toContain('用法：`/接单 #7`');
    expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/接单 灯坏了')).toContain('❌ 「灯坏了」不是诉求编号，请写成 #7 这样');
    expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/接单 #99')).toContain('❌ 没有编号为 #99 的诉求');
    expect(await bot.models.ResidentRequest.countDocuments({ status: '点单' })).toBe(0);
    expect(await bot.models.AuditEntry.countDocuments({ actor: 'zhangsan' })).toBe(1);
  });
});
