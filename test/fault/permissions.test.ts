import { allCommands } from '../../commands';
import { createTestBot, type BasicFixture, type TestBot, type TestUser } from '../helpers/bot';

/**
 * Every command (and subcommand) × every kind of caller × a target inside and outside the
 * caller's scope, against the table below, written by hand from DESIGN.md's command table.
 * The rows are matched against the registry both ways: a command without a row fails.
 *
 * Callers: none (not on the roster), cadre (张三, assigned to 东方花园 in 济源路街道),
 * street admin (济源路街道), district admin, district leader. In scope: 东方花园 / 济源路 /
 * the objects there; out of scope: 水泵厂家属院 / 中心路 (another street). Refused means the
 * permission answer (🚫); anything else (an answer, or a complaint about the input) means
 * the caller got past the permission checks.
 */
type Actor = 'none' | 'cadre' | 'streetAdmin' | 'admin' | 'leader';
type Who = 'anyone' | Array<'cadre' | 'admin' | 'leader'>;

interface Row {
  /** From DESIGN.md's "who" column. */
  who: Who;
  /**
   * courtyard/street: the target must be in the caller's scope (cadres: their courtyards;
   * street admins: their street); district: only district-wide roles; none: no target.
   */
  scope: 'target' | 'district' | 'none';
  /** The line sent for the in-scope and the out-of-scope target. */
  line: [string, string] | string;
  /** Sent from a scratch group (commands that rebind the group they are sent from). */
  scratch?: true;
  /** Besides `who`, these may run it (e.g. the resident who reported a request may rate it). */
  also?: Actor[];
  /** Street offices act on one another: a street admin only on the other streets. */
  mutual?: true;
}

const TABLE: Record<string, Row> = {
  帮助: { who: 'anyone', scope: 'none', line: '/帮助' },
  '绑定 楼院': { who: ['admin'], scope: 'target', line: ['/绑定 楼院 东方花园', '/绑定 楼院 水泵厂家属院'], scratch: true },
  '绑定 街道': { who: ['admin'], scope: 'target', line: ['/绑定 街道 济源路', '/绑定 街道 中心路'], scratch: true },
  '绑定 全区': { who: ['admin'], scope: 'district', line: '/绑定 全区', scratch: true },
  '绑定 领导群': { who: ['admin'], scope: 'district', line: '/绑定 领导群', scratch: true },
  '绑定 查看': { who: ['admin'], scope: 'none', line: '/绑定 查看' },
  // A name not on the roster: a caller who registered would change kind for the rows after.
  '登记 申请': { who: 'anyone', scope: 'none', line: '/登记 查无此人 区教育局' },
  // The entry's street admin or a district admin decides: 王五 (东方花园) in scope, 孙六 (水泵厂家属院) out.
  '登记 批准': { who: ['admin'], scope: 'target', line: ['/登记 批准 王五', '/登记 批准 孙六'] },
  '登记 驳回': { who: ['admin'], scope: 'target', line: ['/登记 驳回 王五', '/登记 驳回 孙六'] },
  '登记 解除': { who: ['admin'], scope: 'target', line: ['/登记 解除 王五', '/登记 解除 孙六'] },
  // A street admin adds, moves and stops cadres of their street's courtyards: 钱甲/钱丙 (东方花园) in scope, 钱乙/钱丁 (水泵厂家属院) out.
  '干部 新增': { who: ['admin'], scope: 'target', line: ['/干部 新增 测试甲 区教育局 楼院=东方花园', '/干部 新增 测试乙 区教育局 楼院=水泵厂家属院'] },
  '干部 调整': { who: ['admin'], scope: 'target', line: ['/干部 调整 钱甲 楼院=陇海安居', '/干部 调整 钱乙 楼院=水泵厂家属院'] },
  '干部 停用': { who: ['admin'], scope: 'target', line: ['/干部 停用 钱丙', '/干部 停用 钱丁'] },
  '干部 列表': { who: ['admin'], scope: 'target', line: ['/干部 列表 东方花园', '/干部 列表 水泵厂家属院'] },
  // DESIGN says cadre; admins, who run the campaign, may report too (accepted deviation).
  进度: { who: ['cadre', 'admin'], scope: 'target', line: ['/进度 #1 10% 测试', '/进度 #2 10% 测试'] },
  '项目 新建': { who: ['admin', 'cadre'], scope: 'target', line: ['/项目 新建 测试项目 类别=工程 截止=9月30日 责任人=张三', '/项目 新建 测试项目 类别=工程 截止=9月30日 责任人=李四'] },
  '项目 列表': { who: 'anyone', scope: 'none', line: '/项目 列表' },
  '项目 完成': { who: ['admin', 'cadre'], scope: 'target', line: ['/项目 完成 #3 已验收', '/项目 完成 #4 已验收'] },
  '项目 延期': { who: ['admin', 'cadre'], scope: 'target', line: ['/项目 延期 #5 10月15日 原因=材料未到', '/项目 延期 #6 10月15日 原因=材料未到'] },
  // An admin of the courtyard or the project's owner: 张三 owns #1 (东方花园), 李四 #2.
  '项目 取消': { who: ['admin', 'cadre'], scope: 'target', line: ['/项目 取消 #1 原因=权限测试', '/项目 取消 #2 原因=权限测试'] },
  '项目 修改': { who: ['admin'], scope: 'target', line: ['/项目 修改 #5 标准=权限测试', '/项目 修改 #6 标准=权限测试'] },
  // Anyone who may read the project's courtyard here: each line is sent in that courtyard's group.
  '项目 详情': { who: 'anyone', scope: 'none', line: ['/项目 详情 #1', '/项目 详情 #2'] },
  下沉: { who: ['cadre'], scope: 'target', line: '/下沉 半天 清理杂物' },
  照片: { who: ['cadre', 'admin'], scope: 'target', line: ['/照片 #1', '/照片 #2'] },
  '诉求 登记': { who: 'anyone', scope: 'none', line: '/诉求 路灯不亮' },
  // An admin of the courtyard, or the cadre who has the request (nobody has #7 or #8).
  '诉求 转派': { who: ['admin'], scope: 'target', line: ['/诉求 转派 #7 给=李四', '/诉求 转派 #8 给=李四'] },
  '诉求 作废': { who: ['admin'], scope: 'target', line: ['/诉求 作废 #7 原因=权限测试', '/诉求 作废 #8 原因=权限测试'] },
  接单: { who: ['cadre', 'admin'], scope: 'target', line: ['/接单 #1', '/接单 #2'] },
  反馈: { who: ['cadre', 'admin'], scope: 'target', line: ['/反馈 #1 已联系电工', '/反馈 #2 已联系电工'] },
  办结: { who: ['cadre', 'admin'], scope: 'target', line: ['/办结 #3 已更换', '/办结 #4 已更换'] },
  // 群众评单: the resident who asked rates it; so may the cadres and admins of the place.
  评价: { who: ['cadre', 'admin'], scope: 'target', line: ['/评价 #5 满意', '/评价 #6 满意'], also: ['none'] },
  组织: { who: ['cadre', 'admin'], scope: 'target', line: '/组织 党支部 已建' },
  '节点 新建': { who: ['admin'], scope: 'target', line: ['/节点 新建 测试节点 截止=10月10日 范围=济源路', '/节点 新建 测试节点 截止=10月10日 范围=中心路'] },
  '节点 列表': { who: 'anyone', scope: 'none', line: '/节点 列表' },
  '节点 查看': { who: 'anyone', scope: 'none', line: '/节点 查看 党组织全覆盖' },
  '节点 完成': { who: ['cadre', 'admin'], scope: 'target', line: '/节点 完成 党组织全覆盖' },
  // 每月观摩: street offices score one another — a street's admin scores the other streets, never their own.
  评分: { who: ['leader', 'admin'], scope: 'none', line: ['/评分 济源路 92', '/评分 中心路 90'], mutual: true },
  撤销: { who: 'anyone', scope: 'none', line: '/撤销' },
  // A person's records (张三: 东方花园 in scope; 孙六: 水泵厂家属院 out), and voiding one (#1 张三's visit, #2 李四's at 水泵厂家属院).
  记录: { who: ['admin'], scope: 'target', line: ['/记录 张三', '/记录 孙六'] },
  '作废 记录': { who: ['admin'], scope: 'target', line: ['/作废 记录 #1 原因=权限测试', '/作废 记录 #2 原因=权限测试'] },
  // 事务公开: the courtyard's self-governing body's contact (the roster's; none here) or an admin of the courtyard — not its cadres.
  '公开 收入': { who: ['admin'], scope: 'target', line: '/公开 收入 停车费 100 元 本月' },
  '公开 支出': { who: ['admin'], scope: 'target', line: '/公开 支出 保洁 100 元 本月' },
  '公开 列表': { who: 'anyone', scope: 'none', line: '/公开 列表' },
  // Entries #1 (东方花园) and #2 (水泵厂家属院).
  '公开 作废': { who: ['admin'], scope: 'target', line: ['/公开 作废 #1 原因=权限测试', '/公开 作废 #2 原因=权限测试'] },
  查询: { who: 'anyone', scope: 'none', line: '/查询' },
  排名: { who: 'anyone', scope: 'none', line: '/排名' },
  逾期: { who: 'anyone', scope: 'none', line: '/逾期' },
  导出: { who: ['admin', 'leader'], scope: 'target', line: '/导出' },
  '看板 链接': { who: 'anyone', scope: 'none', line: '/看板' },
  // Revokes the group's links: the admins of the group's scope.
  '看板 重置': { who: ['admin'], scope: 'target', line: '/看板 重置' },
  // The public board's QR code: the board is public, anyone in the courtyard's group may ask.
  '公示码 二维码': { who: 'anyone', scope: 'none', line: '/公示码' },
  // Voids the courtyard's posted QR codes: the admins of the group's courtyard.
  '公示码 重置': { who: ['admin'], scope: 'target', line: '/公示码 重置' },
  '推送 周排名': { who: ['admin'], scope: 'district', line: '/推送 周排名 --预览' },
  '推送 逾期': { who: ['admin'], scope: 'district', line: '/推送 逾期 --预览' },
  '推送 下沉提醒': { who: ['admin'], scope: 'district', line: '/推送 下沉提醒 --预览' },
  '推送 月度评分': { who: ['admin'], scope: 'district', line: '/推送 月度评分 --预览' },
  '推送 节假日数据提醒': { who: ['admin'], scope: 'district', line: '/推送 节假日数据提醒 --预览' },
  '推送 事务公开': { who: ['admin'], scope: 'district', line: '/推送 事务公开 --预览' },
  // Re-publishing a published ranking (a new, audited version): district admins only.
  '推送 重新发布': { who: ['admin'], scope: 'district', line: '/推送 重新发布 上周 原因=权限测试' },
};

const ROLE_OF: Record<Actor, 'cadre' | 'admin' | 'leader' | null> = { none: null, cadre: 'cadre', streetAdmin: 'admin', admin: 'admin', leader: 'leader' };
/** Callers whose scope is the whole district. */
const DISTRICT_WIDE: Actor[] = ['admin', 'leader'];

function expected(row: Row, actor: Actor, where: 'in' | 'out'): 'allowed' | 'refused' {
  if (row.also?.includes(actor)) return 'allowed';
  const role = ROLE_OF[actor];
  if (row.who !== 'anyone' && (!role || !row.who.includes(role))) return 'refused';
  if (row.mutual && actor === 'streetAdmin') return where === 'out' ? 'allowed' : 'refused';
  if (row.who === 'anyone' || row.scope === 'none') return 'allowed';
  if (row.scope === 'district') return DISTRICT_WIDE.includes(actor) ? 'allowed' : 'refused';
  return where === 'in' || DISTRICT_WIDE.includes(actor) ? 'allowed' : 'refused';
}

/** Every path the registry knows: "名" or "名 子命令". */
const registryPaths = () => allCommands.flatMap((c) => (c.subcommands.length ? c.subcommands.map((s) => `${c.name} ${s.name}`) : [c.name]));

it('has a row for every command and subcommand, and no row for a command that does not exist', () => {
  expect(registryPaths().filter((p) => !(p in TABLE))).toEqual([]);
  expect(Object.keys(TABLE).filter((p) => !registryPaths().includes(p))).toEqual([]);
});

describe('who may run what, where', () => {
  let bot: TestBot;
  let fx: BasicFixture;
  let users: Record<Actor, TestUser>;
  let scratch = 0;

  beforeAll(async () => {
    bot = await createTestBot();
    fx = await bot.seed.basic();
    await bot.seed.group('grp-shuibeng', fx.courtyards.shuibeng);
    await bot.seed.cadre({ name: '孙六', unit: '区民政局', courtyards: [fx.courtyards.shuibeng] });
    users = { none: fx.users.stranger, cadre: fx.users.zhangsan, streetAdmin: fx.users.jyAdmin, admin: fx.users.admin, leader: fx.users.leader };
    const admin = (chat: string, line: string) => bot.send(fx.users.admin, chat, line);
    // Projects #1–#6 and requests #1–#6, odd ones in 东方花园 (in scope), even ones in 水泵厂家属院.
    for (let i = 0; i < 3; i++) {
      expect(await admin(fx.groups.dongfang, `/项目 新建 东方项目${i} 类别=工程 截止=9月30日 责任人=张三`)).toContain(`#${2 * i + 1}`);
      expect(await admin('grp-shuibeng', `/项目 新建 水泵项目${i} 类别=工程 截止=9月30日 责任人=李四`)).toContain(`#${2 * i + 2}`);
    }
    for (let i = 0; i < 3; i++) {
      expect(await bot.send(fx.users.stranger, fx.groups.dongfang, `/诉求 东方诉求${i}`)).toContain(`#${2 * i + 1}`);
      expect(await bot.send(fx.users.stranger, 'grp-shuibeng', `/诉求 水泵诉求${i}`)).toContain(`#${2 * i + 2}`);
    }
    // Requests #7 (东方花园) and #8 (水泵厂家属院) for /诉求 转派 and 作废.
    expect(await bot.send(fx.users.stranger, fx.groups.dongfang, '/诉求 东方诉求3')).toContain('#7');
    expect(await bot.send(fx.users.stranger, 'grp-shuibeng', '/诉求 水泵诉求3')).toContain('#8');
    expect(await admin(fx.groups.dongfang, '/节点 新建 党组织全覆盖 截止=10月10日')).not.toContain('❌');
    // People for /干部 调整 and 停用, and records #1 (东方花园) and #2 (水泵厂家属院) for /作废 记录.
    for (const [name, yard] of [['钱甲', fx.courtyards.dongfang], ['钱乙', fx.courtyards.shuibeng], ['钱丙', fx.courtyards.dongfang], ['钱丁', fx.courtyards.shuibeng]] as const) {
      await bot.seed.cadre({ name, unit: '区民政局', courtyards: [yard] });
    }
    expect(await bot.send(fx.users.zhangsan, fx.groups.dongfang, '/下沉 半天 清理杂物')).toContain('✅');
    expect(await bot.send(fx.users.lisi, 'grp-shuibeng', '/下沉 半天 清理杂物')).toContain('✅');
    expect(await admin('', '/记录 张三')).toContain('**#1**');
    expect(await admin('', '/记录 李四')).toContain('**#2**');
    // Public-account entries #1 (东方花园) and #2 (水泵厂家属院) for /公开 作废.
    expect(await admin(fx.groups.dongfang, '/公开 收入 停车费 100 元 本月')).toContain('**#1**');
    expect(await admin('grp-shuibeng', '/公开 收入 停车费 100 元 本月')).toContain('**#2**');
  });
  afterAll(() => bot.close());

  it.each(registryPaths().filter((p) => p in TABLE))('/%s', async (path) => {
    const row = TABLE[path]!;
    const [inLine, outLine] = typeof row.line === 'string' ? [row.line, row.line] : row.line;
    const wrong: string[] = [];
    for (const actor of Object.keys(users) as Actor[]) {
      for (const where of ['in', 'out'] as const) {
        const chat = row.scratch ? `grp-scratch-${++scratch}` : where === 'in' ? fx.groups.dongfang : 'grp-shuibeng';
        const reply = await bot.send(users[actor], chat, where === 'in' ? inLine : outLine);
        const got = reply.includes('🚫') ? 'refused' : 'allowed';
        const want = expected(row, actor, where);
        if (got !== want) wrong.push(`${actor} ${where === 'in' ? 'in scope' : 'out of scope'}: ${got}, expected ${want} — ${reply.split('\n')[0]}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
