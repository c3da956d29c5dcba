import { createTestBot, type BasicFixture, type TestBot, type TestUser } from '../helpers/bot';

/**
 * Chat commands follow /看板's scope rule: a group's members read the group's scope, people
 * on the roster their own scope too, anyone else only the group's. An unregistered member of
 * one courtyard's group cannot read another courtyard's projects, owners, cadres, hours or
 * requests; nobody unregistered is told who the admins are.
 */
let bot: TestBot;
let f: BasicFixture;
const resident: TestUser = { userId: 'resident', name: '居民甲' };
const DONGFANG_HOOK = 'http://127.0.0.1:9/cgi-bin/webhook/send?key=dongfang-hook';

beforeAll(async () => {
  bot = await createTestBot();
  f = await bot.seed.basic();
  await bot.models.Group.updateOne({ chatId: f.groups.dongfang }, { $set: { webhookUrl: DONGFANG_HOOK } });
  await bot.seed.group('grp-shuibeng', f.courtyards.shuibeng);
  // Something private in each courtyard: a project with its owner, a request, a visit.
  await bot.send(f.users.admin, f.groups.dongfang, '/项目 新建 东方路面 类别=工程 截止=9月30日 责任人=张三');
  await bot.send(f.users.admin, 'grp-shuibeng', '/项目 新建 水泵屋顶 类别=工程 截止=9月30日 责任人=李四');
  await bot.send(f.users.lisi, 'grp-shuibeng', '/诉求 水泵3号楼漏水');
  await bot.send(f.users.lisi, 'grp-shuibeng', '/下沉 半天 清理杂物');
});
afterAll(() => bot.close());

const SHUIBENG_SECRETS = /水泵屋顶|水泵3号楼漏水|李四/;

describe('an unregistered member of a courtyard group', () => {
  it('reads their own courtyard', async () => {
    expect(await bot.send(resident, f.groups.dongfang, '/查询')).toContain('东方花园');
    expect(await bot.send(resident, f.groups.dongfang, '/项目 列表')).toContain('东方路面');
  });

  it('cannot read another courtyard or the district, and is told what they can read instead', async () => {
    const card = await bot.send(resident, f.groups.dongfang, '/查询 水泵厂家属院');
    expect(card).toContain('🚫 在本群只能查看「东方花园」');
    expect(card).not.toMatch(SHUIBENG_SECRETS);
    for (const line of ['/项目 列表 全区', '/项目 列表 水泵厂家属院', '/项目 列表 中心路', '/查询 中心路']) {
      const reply = await bot.send(resident, f.groups.dongfang, line);
      expect({ line, refused: reply.includes('🚫'), leaks: SHUIBENG_SECRETS.test(reply) }).toEqual({ line, refused: true, leaks: false });
    }
  });
});

describe('an unregistered account in a 1:1 chat', () => {
  it('reads nothing of any courtyard', async () => {
    for (const line of ['/查询 水泵厂家属院', '/查询 东方花园', '/查询', '/项目 列表', '/项目 列表 全区', '/节点 列表', '/排名 干部', '/排名 楼院']) {
      const reply = await bot.send(resident, '', line);
      expect({ line, refused: reply.includes('🚫'), leaks: SHUIBENG_SECRETS.test(reply) || reply.includes('东方路面') }).toEqual({ line, refused: true, leaks: false });
    }
  });

  it('still sees the street offices’ ranking, published to every street group anyway', async () => {
    expect(await bot.send(resident, '', '/排名')).toContain('街道排名');
  });

  it('may still log a request, without being told who the cadres are; they are asked in their own group', async () => {
    const reply = await bot.send(resident, '', '/诉求 东门路灯不亮 楼院=东方花园');
    expect(reply).toContain('✅ 已登记诉求');
    expect(reply).toContain('已通知 东方花园 工作群的分包干部接单');
    expect(reply).not.toMatch(/张三|<@zhangsan>/);
    const pushed = bot.outbox.requests.find((r) => r.target.kind === 'webhook' && r.target.url === DONGFANG_HOOK && JSON.stringify(r.payload).includes('东门路灯不亮'));
    expect(pushed?.payload).toMatchObject({ type: 'markdown', mentions: ['zhangsan'] });
  });

  it('is refused without the names of admins, who are named to people on the roster', async () => {
    const stranger = await bot.send(resident, 'grp-new', '/绑定 楼院 东方花园');
    expect(stranger).toContain('🚫 /绑定 楼院 仅限管理员使用');
    expect(stranger).not.toContain('王管理');
    expect(stranger).not.toContain('可以找');
    expect(await bot.send(f.users.zhangsan, 'grp-new', '/绑定 楼院 东方花园')).toContain('可以找：王管理（管理员）');
  });
});

describe('people on the roster', () => {
  it('a cadre reads their own courtyards, in a 1:1 chat too, and not others', async () => {
    const list = await bot.send(f.users.zhangsan, '', '/项目 列表');
    expect(list).toContain('东方路面');
    expect(list).not.toContain('水泵屋顶');
    expect(await bot.send(f.users.zhangsan, '', '/查询 东方花园')).toContain('东方花园');
    const other = await bot.send(f.users.zhangsan, '', '/查询 水泵厂家属院');
    expect(other).toContain('🚫 你只能查看你负责的范围');
    expect(other).not.toMatch(SHUIBENG_SECRETS);
  });

  it('a street admin reads their street, not another', async () => {
    expect(await bot.send(f.users.jyAdmin, '', '/查询 济源路')).toContain('济源路街道');
    expect(await bot.send(f.users.jyAdmin, '', '/查询 水泵厂家属院')).toContain('🚫');
    expect(await bot.send(f.users.jyAdmin, '', '/项目 列表 中心路')).toContain('🚫');
  });

  it('a district leader reads everything', async () => {
    expect(await bot.send(f.users.leader, '', '/查询 水泵厂家属院')).toContain('水泵屋顶');
    expect(await bot.send(f.users.leader, '', '/项目 列表 全区')).toContain('水泵屋顶');
  });
});

describe('a street group', () => {
  it('reads its street’s courtyards, not another street’s', async () => {
    expect(await bot.send(resident, f.groups.jiyuan, '/查询 东方花园')).toContain('东方花园');
    const other = await bot.send(resident, f.groups.jiyuan, '/查询 水泵厂家属院');
    expect(other).toContain('🚫 在本群只能查看「济源路街道」');
    expect(other).not.toMatch(SHUIBENG_SECRETS);
  });
});
