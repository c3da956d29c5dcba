import { createTestBot, type BasicFixture, type TestBot } from '../helpers/bot';

let bot: TestBot;
let f: BasicFixture;

beforeAll(async () => {
  bot = await createTestBot();
  f = await bot.seed.basic();
});
afterAll(() => bot.close());

const request = (no: number) => bot.models.ResidentRequest.findOne({ no }).lean();
const minutes = (n: number) => n * 60_000;

describe('/撤销', () => {
  it('says when there is nothing to undo', async () => {
    const reply = await bot.send(f.users.leader, '', '/撤销');
    expect(reply).toContain('❌ 你没有可以撤销的记录');
  });

  it('undoes the caller’s last command', async () => {
    await bot.send(f.users.zhangsan, f.groups.dongfang, '/诉求 3号楼楼道灯不亮'); // #1
    bot.advance(minutes(2));
    const reply = await bot.send(f.users.zhangsan, f.groups.dongfang, '/撤销');
    expect(reply).toContain('↩️ 已撤销 9月16日 10:00 的「/诉求 3号楼楼道灯不亮」');
    expect(reply).toContain('· 删除了新建的诉求 #1');
    expect(await request(1)).toBeNull();
    expect(await bot.models.AuditEntry.countDocuments({ actor: 'zhangsan', undoneAt: bot.now(), undoneBy: 'zhangsan' })).toBe(1);
  });

  it('goes one command further back each time', async () => {
    await bot.send(f.users.zhangsan, f.groups.dongfang, '/诉求 单元门关不上'); // #2
    bot.advance(minutes(1));
    await bot.send(f.users.zhangsan, f.groups.dongfang, '/接单 #2');
    bot.advance(minutes(1));
    const first = await bot.send(f.users.zhangsan, f.groups.dongfang, '/undo');
    expect(first).toContain('的「/接单 #2」');
    expect(first).toContain('· 诉求 #2 恢复为修改前的内容（点单）');
    expect(await request(2)).toMatchObject({ status: '点单' });
    expect((await request(2))?.assignee).toBeUndefined();
    const second = await bot.send(f.users.zhangsan, f.groups.dongfang, '/撤销');
    expect(second).toContain('的「/诉求 单元门关不上」');
    expect(await request(2)).toBeNull();
    expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/撤销')).toContain('❌ 你没有可以撤销的记录');
  });

  it('never touches other people’s records, and refuses what others changed since', async () => {
    await bot.send(f.users.lisi, '', '/诉求 楼道堆物 楼院=陇海安居'); // #3
    bot.advance(minutes(1));
    await bot.send(f.users.jyAdmin, f.groups.jiyuan, '/接单 #3');
    const reply = await bot.send(f.users.lisi, '', '/撤销');
    expect(reply).toContain('❌ 「/诉求 楼道堆物 楼院=陇海安居」改过的记录之后又被「/接单 #3」（赵街道）修改，无法撤销');
    expect(await request(3)).toMatchObject({ status: '已接单', assignee: f.cadres.jyAdmin._id });
  });

  it('after 10 minutes says so and which admins can still correct it', async () => {
    await bot.send(f.users.zhangsan, f.groups.dongfang, '/下沉 半天 清理杂物');
    bot.advance(minutes(11));
    const reply = await bot.send(f.users.zhangsan, f.groups.dongfang, '/撤销');
    expect(reply).toContain('❌ 只能撤销 10 分钟内的记录；你最近的一条是 9月16日 10:05 的「/下沉 半天 清理杂物」，已超过 10 分钟');
    expect(reply).toContain('如需更正，请联系管理员：王管理（管理员）、赵街道（管理员）');
    expect(await bot.models.Visit.countDocuments({ cadre: f.cadres.zhangsan._id })).toBe(1);
  });

  it('takes no arguments', async () => {
    const reply = await bot.send(f.users.zhangsan, f.groups.dongfang, '/撤销 #1');
    expect(reply).toContain('❌ 多余的参数：「#1」');
    expect(reply).toContain('用法：`/撤销`');
    expect(await bot.models.Visit.countDocuments({ cadre: f.cadres.zhangsan._id })).toBe(1);
  });
});
