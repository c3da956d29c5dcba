import { createTestBot, type BasicFixture, type TestBot } from '../helpers/bot';

let bot: TestBot;
let f: BasicFixture;
const KEY = '693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa';
const URL = `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${KEY}`;

beforeAll(async () => {
  bot = await createTestBot({ adminUserIds: ['boss'] });
  f = await bot.seed.basic();
});
afterAll(() => bot.close());

const group = (chatId: string) => bot.models.Group.findOne({ chatId }).lean();

describe('/绑定', () => {
  it('binds a group to a courtyard, records who and when, and asks for the push address', async () => {
    const reply = await bot.send(f.users.admin, 'grp-a', '/绑定 楼院 东方花园');
    expect(reply).toContain('✅ 本群已绑定为 **东方花园** 工作群');
    expect(reply).toContain('还没有本群的推送地址');
    expect(reply).toContain('`/绑定 楼院 东方花园 webhook=推送地址`');
    expect(await group('grp-a')).toMatchObject({
      scope: { kind: 'courtyard', refId: f.courtyards.dongfang._id },
      purpose: 'work',
      boundBy: 'admin',
      boundAt: bot.now(),
      active: true,
    });
    const audit = await bot.models.AuditEntry.findOne({ modelName: 'Group', actor: 'admin' }).lean();
    expect(audit).toMatchObject({ op: 'update', command: '/绑定 楼院 东方花园' });
  });

  it('makes the courtyard the group default: /帮助 there names it', async () => {
    expect(await bot.send(f.users.zhangsan, 'grp-a', '/帮助')).toContain('本群：东方花园');
  });

  it('records the push address given as a URL or as a bare key, showing it masked', async () => {
    const reply = await bot.send(f.users.admin, 'grp-b', `/bind courtyard 陇海 webhook=${URL}`);
    expect(reply).toContain('✅ 本群已绑定为 **陇海安居** 工作群');
    expect(reply).toContain('推送地址：已记录');
    expect(reply).not.toContain(KEY);
    expect(await group('grp-b')).toMatchObject({ webhookUrl: URL });

    await bot.models.Group.updateOne({ chatId: 'grp-b' }, { webhookInvalidAt: bot.now() });
    await bot.send(f.users.admin, 'grp-b', `/绑定 楼院 陇海安居 推送地址：${KEY}`);
    const g = await group('grp-b');
    expect(g).toMatchObject({ webhookUrl: KEY });
    expect(g?.webhookInvalidAt).toBeUndefined();
  });

  it('binds a street group and a leadership group for admins whose scope covers them', async () => {
    expect(await bot.send(f.users.jyAdmin, 'grp-street', '/绑定 街道 济源路')).toContain('✅ 本群已绑定为 **济源路街道** 工作群');
    expect(await group('grp-street')).toMatchObject({ scope: { kind: 'street', refId: f.streets.jiyuan._id }, purpose: 'work' });

    expect(await bot.send(f.users.admin, 'grp-lead', '／绑定　领导群')).toContain('✅ 本群已绑定为 **全区** 领导群');
    expect(await group('grp-lead')).toMatchObject({ scope: { kind: 'district' }, purpose: 'leadership' });
  });

  it('lets ADMIN_USERIDS bind without a roster entry', async () => {
    expect(await bot.send({ userId: 'boss' }, 'grp-boss', '/绑定 全区')).toContain('✅ 本群已绑定为 **全区** 工作群');
  });

  it('shows the binding when nothing follows', async () => {
    const reply = await bot.send(f.users.admin, 'grp-a', '/绑定');
    expect(reply).toContain('本群：**东方花园 工作群**');
    expect(reply).toContain('推送地址：<font color="warning">未设置</font>');
  });

  it('refuses a cadre, saying who may', async () => {
    const reply = await bot.send(f.users.zhangsan, 'grp-c', '/绑定 楼院 东方花园');
    expect(reply).toContain('🚫 /绑定 楼院 仅限管理员使用。');
    expect(reply).toContain('可以找：王管理（管理员）');
    expect((await group('grp-c'))?.scope?.kind).toBeUndefined();
  });

  it('refuses a street admin outside their street, and the leadership group', async () => {
    const reply = await bot.send(f.users.jyAdmin, 'grp-d', '/绑定 楼院 水泵厂家属院');
    expect(reply).toContain('🚫 /绑定 楼院 仅限「水泵厂家属院」的管理员使用。');
    expect(reply).toContain('王管理（管理员）');
    expect(reply).not.toContain('赵街道');
    expect(await bot.send(f.users.jyAdmin, 'grp-d', '/绑定 领导群')).toContain('仅限全区的管理员使用');
    expect((await group('grp-d'))?.scope?.kind).toBeUndefined();
    expect(await bot.models.AuditEntry.countDocuments({ actor: 'jy-admin', modelName: 'Group', docId: (await group('grp-d'))!._id })).toBe(0);
  });

  it('says what is wrong with the arguments, with the usage', async () => {
    const missing = await bot.send(f.users.admin, 'grp-e', '/绑定 楼院');
    expect(missing).toContain('❌ 缺少「楼院」');
    expect(missing).toContain('用法：`/绑定 楼院 东方花园`');
    expect(await bot.send(f.users.admin, 'grp-e', '/绑定 楼院 天坛')).toContain('❌ 没有找到楼院「天坛」');
    expect(await bot.send(f.users.admin, 'grp-e', '/绑定 小区 东方花园')).toContain('「/绑定」后面应为 楼院、街道、全区、领导群、查看 之一，收到「小区」');
    expect(await bot.send(f.users.admin, 'grp-e', '/绑定 楼院 东方花园 webhook=ftp://example.com/x')).toContain('群推送地址');
    expect(await bot.send(f.users.admin, 'grp-e', '/绑定 楼院 东方花园 webhook=短')).toContain('key 不对');
    expect(await bot.send(f.users.admin, 'grp-e', '/绑定 街道 东方花园')).toContain('没有找到街道「东方花园」');
    expect((await group('grp-e'))?.scope?.kind).toBeUndefined();
  });

  it('must be sent in the group itself', async () => {
    expect(await bot.send(f.users.admin, '', '/绑定 楼院 东方花园')).toContain('请在要绑定的群里发送这条命令');
  });

  it('reads a command name run together with its subcommand, and a near courtyard name', async () => {
    expect(await bot.send(f.users.admin, 'grp-f', '/绑定楼院 东方花圆')).toContain('✅ 本群已绑定为 **东方花园** 工作群');
  });
});
