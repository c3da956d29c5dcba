import { allCommands } from '../../commands';
import { defineCommand } from '../../src/bot/define-command';
import { createTestBot, type BasicFixture, type TestBot } from '../helpers/bot';

let bot: TestBot;
let f: BasicFixture;

beforeAll(async () => {
  bot = await createTestBot();
  f = await bot.seed.basic();
});
afterAll(() => bot.close());

describe('/帮助', () => {
  it('lists the commands an admin may use, with who they are and the group scope', async () => {
    const reply = await bot.send(f.users.admin, f.groups.dongfang, '/帮助');
    expect(reply).toContain('**楼院通 · 可用命令**');
    expect(reply).toContain('王管理 · 管理员 · 本群：东方花园');
    expect(reply).toContain('**/绑定**');
    expect(reply).toContain('**/登记**');
    expect(reply).not.toContain('/登记 姓名 单位');
  });

  it('hides admin commands from someone not on the roster, and asks them to register', async () => {
    const reply = await bot.send(f.users.stranger, f.groups.dongfang, '/help');
    expect(reply).toContain('stranger · 未登记');
    expect(reply).toContain('**/帮助**');
    expect(reply).toContain('**/登记**');
    expect(reply).not.toContain('/绑定');
    expect(reply).toContain('`/登记 姓名 单位`');
  });

  it('shows the usage of one command, also to someone who may not use it', async () => {
    const reply = await bot.send(f.users.zhangsan, f.groups.dongfang, '/帮助 绑定');
    expect(reply).toContain('`/绑定 楼院 东方花园`');
    expect(reply).toContain('也可写作：/bind');
    expect(reply).toContain('你目前没有使用这个命令的权限');
    expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '／帮助　／登记')).toContain('`/登记 张三 区医保局`');
  });

  it('shows the review subcommands of /登记 to admins, and only the claim to others', async () => {
    const admin = await bot.send(f.users.admin, f.groups.dongfang, '/帮助 登记');
    for (const line of ['`/登记 张三 区医保局`', '`/登记 批准 张三`', '`/登记 驳回 张三 不是本人`', '`/登记 解除 张三`']) expect(admin).toContain(line);
    const stranger = await bot.send(f.users.stranger, f.groups.dongfang, '/帮助 登记');
    expect(stranger).toContain('`/登记 张三 区医保局`');
    expect(stranger).not.toContain('/登记 批准');
  });

  it('suggests the closest command for a wrong name', async () => {
    const reply = await bot.send(f.users.zhangsan, f.groups.dongfang, '/帮助 登纪');
    expect(reply).toContain('❌ 没有「登纪」这个命令，你是不是要找 /登记？');
    expect(reply).toContain('用法：`/帮助`');
  });

  it('answers in a 1:1 chat too, without a group scope', async () => {
    const reply = await bot.send(f.users.zhangsan, f.users.zhangsan.userId, '/帮助');
    expect(reply).toContain('张三 · 分包干部');
    expect(reply).not.toContain('本群');
  });

  it('changes nothing in the database', async () => {
    await bot.send(f.users.admin, f.groups.dongfang, '/帮助');
    expect(await bot.models.AuditEntry.countDocuments()).toBe(0);
  });
});

describe('/帮助 filtering by role', () => {
  const only = (name: string, allow: ('cadre' | 'admin' | 'leader')[]) =>
    defineCommand({ name, summary: `${name}用`, allow, usage: [`/${name}`], run: async () => null });
  let roleBot: TestBot;
  let g: BasicFixture;

  beforeAll(async () => {
    roleBot = await createTestBot({ commands: [...allCommands, only('干部命令', ['cadre']), only('领导命令', ['leader']), only('共用命令', ['cadre', 'leader'])] });
    g = await roleBot.seed.basic();
  });
  afterAll(() => roleBot.close());

  it('shows a cadre the cadre commands only', async () => {
    const reply = await roleBot.send(g.users.zhangsan, g.groups.dongfang, '/帮助');
    expect(reply).toContain('**/干部命令**');
    expect(reply).toContain('**/共用命令**');
    expect(reply).not.toContain('领导命令');
  });

  it('shows a leader the leader commands only', async () => {
    const reply = await roleBot.send(g.users.leader, g.groups.dongfang, '/帮助');
    expect(reply).toContain('**/领导命令**');
    expect(reply).toContain('**/共用命令**');
    expect(reply).not.toContain('干部命令');
    expect(reply).not.toContain('/绑定');
  });
});
