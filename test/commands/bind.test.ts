import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startWebhookSink, type WebhookSink } from '../../src/sim/webhook-sink';
import { createTestBot, type BasicFixture, type TestBot } from '../helpers/bot';

let bot: TestBot;
let f: BasicFixture;
/** WeCom's API, played by the sink (WECOM_API_BASE). */
let sink: WebhookSink;
/** Another host on 127.0.0.1: nothing may ever reach it. */
let foreign: Server;
let foreignHits = 0;
const KEY = '693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa';
let URL: string;

beforeAll(async () => {
  sink = await startWebhookSink();
  URL = sink.webhookUrl(KEY);
  foreign = createServer((req, res) => {
    foreignHits++;
    res.end('{"errcode":0}');
  });
  await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
  bot = await createTestBot({ adminUserIds: ['boss'], apiBase: sink.url });
  f = await bot.seed.basic();
});
afterAll(async () => {
  await bot.close();
  await sink.stop();
  await new Promise((resolve) => foreign.close(resolve));
});
const foreignUrl = () => `http://127.0.0.1:${(foreign.address() as AddressInfo).port}/cgi-bin/webhook/send?key=${KEY}`;

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
    expect(g).toMatchObject({ webhookUrl: URL });
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
    expect(await bot.send(f.users.admin, 'grp-e', '/绑定 楼院 东方花园 webhook=ftp://example.com/x?key=abcdefgh1234')).toContain('只能是企业微信的地址');
    expect(await bot.send(f.users.admin, 'grp-e', '/绑定 楼院 东方花园 webhook=短')).toContain('key 不对');
    expect(await bot.send(f.users.admin, 'grp-e', '/绑定 街道 东方花园')).toContain('没有找到街道「东方花园」');
    expect((await group('grp-e'))?.scope?.kind).toBeUndefined();
  });

  it('must be sent in the group itself', async () => {
    expect(await bot.send(f.users.admin, '', '/绑定 楼院 东方花园')).toContain('请在要绑定的群里发送这条命令');
  });

  it('sends a short test message to a new push address and says it arrived', async () => {
    const key = 'test-message-ok';
    const reply = await bot.send(f.users.admin, 'grp-t1', `/绑定 楼院 东方花园 webhook=${sink.webhookUrl(key)}`);
    expect(reply).toContain('已向本群发送一条测试消息');
    const got = sink.received.filter((p) => p.key === key);
    expect(got).toHaveLength(1);
    expect(got[0]!.body.markdown?.content).toContain('楼院通：本群已绑定为 **东方花园 工作群**');
  });

  it('says when the test message did not arrive', async () => {
    const key = 'test-message-removed';
    sink.invalidate(key);
    const reply = await bot.send(f.users.admin, 'grp-t2', `/绑定 楼院 东方花园 webhook=${key}`);
    expect(reply).toContain('⚠️ 测试消息没有送达：企业微信拒收（错误码 93000');
    expect(sink.received.filter((p) => p.key === key)).toHaveLength(0);
  });

  it('refuses a push address on any host but WeCom’s API, and sends nothing there', async () => {
    const reply = await bot.send(f.users.admin, 'grp-t3', `/绑定 楼院 东方花园 webhook=${foreignUrl()}`);
    expect(reply).toContain(`❌ 群推送地址只能是企业微信的地址（${sink.url}/cgi-bin/webhook/send?key=…）`);
    expect(await bot.send(f.users.admin, 'grp-t3', `/绑定 楼院 东方花园 webhook=https://qyapi.weixin.qq.com.evil.example/cgi-bin/webhook/send?key=${KEY}`)).toContain('只能是企业微信的地址');
    expect((await group('grp-t3'))?.scope?.kind).toBeUndefined();
    // /导出 would have sent the file to the stored address.
    expect(await bot.send(f.users.admin, 'grp-t3', '/导出')).not.toContain('正在发送');
    expect(foreignHits).toBe(0);
  });

  it('lets only the district admin rebind the leadership group (a street admin there is refused, nothing changes)', async () => {
    await bot.seed.group('grp-lead-2', 'district', { purpose: 'leadership', webhookUrl: sink.webhookUrl('lead-robot') });
    const reply = await bot.send(f.users.jyAdmin, 'grp-lead-2', `/绑定 楼院 东方花园 webhook=${sink.webhookUrl('hijack-robot')}`);
    expect(reply).toContain('🚫 本群现在是 全区 领导群，改绑需要全区的管理员');
    expect(await group('grp-lead-2')).toMatchObject({ scope: { kind: 'district' }, purpose: 'leadership', webhookUrl: sink.webhookUrl('lead-robot') });
    expect(sink.received.filter((p) => p.key === 'hijack-robot')).toHaveLength(0);
    expect(await bot.send(f.users.admin, 'grp-lead-2', '/绑定 领导群')).toContain('✅ 本群已绑定为 **全区** 领导群');
    expect(await group('grp-lead-2')).toMatchObject({ webhookUrl: sink.webhookUrl('lead-robot') });
  });

  it('needs authority over the current binding too: a street admin cannot take another street’s group', async () => {
    await bot.seed.group('grp-sb', f.courtyards.shuibeng);
    const reply = await bot.send(f.users.jyAdmin, 'grp-sb', '/绑定 楼院 东方花园');
    expect(reply).toContain('🚫 本群现在是 水泵厂家属院 工作群，改绑需要「水泵厂家属院」的管理员');
    expect(await group('grp-sb')).toMatchObject({ scope: { kind: 'courtyard', refId: f.courtyards.shuibeng._id } });
  });

  it('drops the old push address when rebinding to another scope without a new one', async () => {
    await bot.seed.group('grp-move', f.courtyards.dongfang, { webhookUrl: sink.webhookUrl('move-robot') });
    expect(await bot.send(f.users.admin, 'grp-move', '/绑定 楼院 东方花园')).toContain('推送地址：已记录');
    expect(await group('grp-move')).toMatchObject({ webhookUrl: sink.webhookUrl('move-robot') });
    const reply = await bot.send(f.users.admin, 'grp-move', '/绑定 楼院 陇海安居');
    expect(reply).toContain('原推送地址属于原绑定，已停用');
    expect(reply).toContain('还没有本群的推送地址');
    expect((await group('grp-move'))?.webhookUrl).toBeUndefined();
  });

  it('reads a command name run together with its subcommand, and a near courtyard name', async () => {
    expect(await bot.send(f.users.admin, 'grp-f', '/绑定楼院 东方花圆')).toContain('✅ 本群已绑定为 **东方花园** 工作群');
  });
});
