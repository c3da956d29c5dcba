import { createTestBot, type BasicFixture, type TestBot, type TestUser } from '../helpers/bot';

/**
 * /登记: people are who they say only by the roster or an admin's approval. A roster entry
 * without a userid is claimed, the claim announced in the street group and approved or
 * rejected there by the street's or the district's admin; until then the claimant has no
 * role. No reply tells a stranger another entry's unit or who holds it.
 */
let bot: TestBot;
let f: BasicFixture;
const STREET_HOOK = 'http://127.0.0.1:9/cgi-bin/webhook/send?key=jiyuan-street-hook';
const zcAdmin: TestUser = { userId: 'zc-admin', name: '钱中心' };
const impostor: TestUser = { userId: 'impostor', name: '冒名者' };

beforeAll(async () => {
  bot = await createTestBot({ adminUserIds: ['boss', 'boss2'] });
  f = await bot.seed.basic();
  await bot.models.Group.updateOne({ chatId: f.groups.jiyuan }, { $set: { webhookUrl: STREET_HOOK } });
  await bot.seed.cadre({ name: '张伟', unit: '区财政局' });
  await bot.seed.cadre({ name: '张伟', unit: '区住建局', courtyards: [f.courtyards.longhai] });
  await bot.seed.cadre({ name: '孙管理', unit: '中心路街道办事处', roles: ['admin', 'cadre'], scope: f.streets.zhongxin });
  await bot.seed.cadre({ name: '钱七', unit: '区住建局', courtyards: [f.courtyards.dongfang] });
  await bot.seed.cadre({ name: '钱中心', unit: '中心路街道办事处', userId: 'zc-admin', roles: ['admin'], scope: f.streets.zhongxin });
});
afterAll(() => bot.close());

const entry = (name: string, unit: string) => bot.models.Cadre.findOne({ name, unit }).lean();
const pushesTo = (url: string) => bot.outbox.requests.filter((r) => r.target.kind === 'webhook' && r.target.url === url).map((r) => (r.payload as { content: string }).content);

let n = 0;
/** A roster entry of 东方花园 (济源路街道) without a userid, and the account that is its person. */
async function newcomer() {
  const name = `新人${++n}`;
  const doc = await bot.seed.cadre({ name, unit: '区教育局', courtyards: [f.courtyards.dongfang] });
  return { name, doc, user: { userId: `newcomer-${n}` } as TestUser, label: `${name}（区教育局）` };
}
const claimOf = (userId: string) => bot.models.RegistrationClaim.findOne({ userId }).lean();

describe('/登记 for an entry without a userid', () => {
  it('files a claim, links nothing, and announces it in the street group', async () => {
    const reply = await bot.send(f.users.wangwu, f.groups.dongfang, '/登记 王五 区教育局');
    expect(reply).toContain('📝 已提交登记申请：**王五（区教育局）**');
    expect(reply).toContain('在此之前你还不能使用分包干部的命令');
    expect((await entry('王五', '区教育局'))?.userId).toBeUndefined();
    expect(await claimOf('wangwu')).toMatchObject({ status: 'pending', cadre: f.cadres.wangwu._id });
    const announced = pushesTo(STREET_HOOK).join('\n');
    expect(announced).toContain('企业微信账号 wangwu 申请关联花名册 **王五（区教育局）**');
    expect(announced).toContain('`/登记 批准 王五(区教育局)`');
  });

  it('leaves the claimant without a role until approved', async () => {
    const p = await newcomer();
    await bot.send(p.user, f.groups.dongfang, `/登记 ${p.name} 区教育局`);
    expect(await bot.send(p.user, f.groups.dongfang, '/帮助')).toContain(`${p.user.userId} · 未登记`);
    expect(await bot.send(p.user, f.groups.dongfang, '/下沉 半天 清理杂物')).toContain('🚫');
    expect(await bot.send(p.user, f.groups.dongfang, `/登记 ${p.name} 区教育局`)).toContain('正在等待街道或区管理员审核');
  });

  it('refuses a second account claiming the same entry, without saying whose claim is pending', async () => {
    const p = await newcomer();
    await bot.send(p.user, '', `/登记 ${p.name} 区教育局`);
    const reply = await bot.send(impostor, '', `/登记 ${p.name} 区教育局`);
    expect(reply).toContain(`❌ 「${p.label}」已有一份待审核的登记申请`);
    expect(reply).not.toContain(p.user.userId);
    expect(await claimOf('impostor')).toBeNull();
  });

  it('may be approved only by an admin of the entry’s street or of the district', async () => {
    const p = await newcomer();
    await bot.send(p.user, '', `/登记 ${p.name} 区教育局`);
    expect(await bot.send(f.users.zhangsan, f.groups.jiyuan, `/登记 批准 ${p.name}`)).toContain('🚫 /登记 批准 仅限管理员使用');
    expect(await bot.send(zcAdmin, '', `/登记 批准 ${p.name}`)).toContain(`🚫 /登记 批准 ${p.label} 仅限所在街道或全区的管理员使用`);
    expect((await bot.models.Cadre.findById(p.doc._id).lean())?.userId).toBeUndefined();
    expect(await claimOf(p.user.userId)).toMatchObject({ status: 'pending' });
  });

  it('links the account once the street admin approves, says so in the street group, and refuses anyone else after', async () => {
    const p = await newcomer();
    await bot.send(p.user, '', `/登记 ${p.name} 区教育局`);
    const reply = await bot.send(f.users.jyAdmin, f.groups.jiyuan, `/登记 批准 ${p.name}`);
    expect(reply).toContain(`✅ 已批准：**${p.label}** 关联 企业微信账号 ${p.user.userId}`);
    expect(await bot.models.Cadre.findById(p.doc._id).lean()).toMatchObject({ userId: p.user.userId, userIdSource: 'register', linkedAt: bot.now() });
    expect(await claimOf(p.user.userId)).toMatchObject({ status: 'approved', decidedBy: 'jy-admin' });
    expect(pushesTo(STREET_HOOK).join('\n')).toContain(`✅ **${p.label}** 的登记已由 赵街道 批准`);
    expect(await bot.send(p.user, f.groups.dongfang, '/帮助')).toContain(`${p.name} · 分包干部`);
    expect(await bot.send(p.user, f.groups.dongfang, `/register ${p.name} 区教育局`)).toContain(`你已登记为 **${p.label}**`);

    const other = await bot.send(impostor, '', `/登记 ${p.name} 区教育局`);
    expect(other).toContain(`❌ 「${p.label}」已关联企业微信账号，不能再登记`);
    expect(other).not.toContain(p.user.userId);
  });

  it('is unlinked by an admin (/登记 解除), and the account loses its role', async () => {
    const p = await newcomer();
    await bot.send(p.user, '', `/登记 ${p.name} 区教育局`);
    await bot.send(f.users.admin, '', `/登记 批准 ${p.name}`);
    expect(await bot.send(zcAdmin, '', `/登记 解除 ${p.name}`)).toContain('🚫');
    const reply = await bot.send(f.users.jyAdmin, f.groups.jiyuan, `/登记 解除 ${p.name}`);
    expect(reply).toContain(`🔓 已解除 **${p.label}** 与企业微信账号（${p.user.userId}）的关联`);
    expect((await bot.models.Cadre.findById(p.doc._id).lean())?.userId).toBeUndefined();
    expect(await bot.send(p.user, f.groups.dongfang, '/帮助')).toContain(`${p.user.userId} · 未登记`);
    expect(await bot.send(f.users.jyAdmin, f.groups.jiyuan, `/登记 解除 ${p.name}`)).toContain('还没有关联企业微信账号');
  });

  it('may be rejected, with a reason, and another claim filed after', async () => {
    const p = await newcomer();
    expect(await bot.send(impostor, '', `/登记 ${p.name} 区教育局`)).toContain('📝 已提交登记申请');
    const reply = await bot.send(f.users.admin, '', `/登记 驳回 ${p.name} 不是本人`);
    expect(reply).toContain(`❎ 已驳回 企业微信账号 impostor 关联 **${p.label}** 的申请，原因：不是本人`);
    expect(pushesTo(STREET_HOOK).join('\n')).toContain(`关联 **${p.label}** 的登记申请已由 王管理 驳回，原因：不是本人`);
    expect((await bot.models.Cadre.findById(p.doc._id).lean())?.userId).toBeUndefined();
    expect(await bot.send(f.users.admin, '', `/登记 批准 ${p.name}`)).toContain('没有待审核的登记申请');
    expect(await bot.send(p.user, '', `/登记 ${p.name} 区教育局`)).toContain('📝 已提交登记申请');
  });

  it('is undone by the approver’s /撤销: no link, the claim pending again', async () => {
    const p = await newcomer();
    await bot.send(p.user, '', `/登记 ${p.name} 区教育局`);
    expect(await bot.send(f.users.leader, '', '/撤销')).toContain('你没有可以撤销的记录');
    const approver: TestUser = { userId: `boss` };
    expect(await bot.send(approver, '', `/登记 批准 ${p.name}`)).toContain('✅ 已批准');
    expect((await bot.models.Cadre.findById(p.doc._id).lean())?.userId).toBe(p.user.userId);
    expect(await bot.send(approver, '', '/撤销')).toContain('↩️ 已撤销');
    expect((await bot.models.Cadre.findById(p.doc._id).lean())?.userId).toBeUndefined();
    expect(await claimOf(p.user.userId)).toMatchObject({ status: 'pending' });
  });

  it('cannot be approved by the claimant', async () => {
    const p = await newcomer();
    const boss: TestUser = { userId: 'boss2', name: '老板' };
    expect(await bot.send(boss, '', `/登记 ${p.name} 区教育局`)).toContain('📝 已提交登记申请');
    expect(await bot.send(boss, '', `/登记 批准 ${p.name}`)).toContain('🚫 不能批准自己的登记申请');
    expect((await bot.models.Cadre.findById(p.doc._id).lean())?.userId).toBeUndefined();
  });

  it('never grants admin rights: those need the userid in the roster', async () => {
    await bot.send({ userId: 'sun' }, '', '/登记 孙管理 中心路街道办事处');
    expect(await bot.send(f.users.admin, '', '/登记 批准 孙管理')).toContain('✅ 已批准');
    expect(await bot.send({ userId: 'sun' }, '', '/登记 孙管理 中心路街道办事处')).toContain('管理员、领导权限需要在花名册里填写企业微信账号');
    expect(await bot.send({ userId: 'sun' }, 'grp-sun', '/绑定 楼院 水泵厂家属院')).toContain('🚫 /绑定 楼院 仅限管理员使用');
  });
});

describe('/登记 for an entry that carries a userid', () => {
  it('belongs to that account only: another account is refused and nothing is filed', async () => {
    const reply = await bot.send(impostor, f.groups.dongfang, '/登记 张三 区医保局');
    expect(reply).toContain('❌ 「张三（区医保局）」已关联企业微信账号');
    expect(reply).not.toContain('zhangsan');
    expect(await bot.models.RegistrationClaim.countDocuments({ cadre: f.cadres.zhangsan._id })).toBe(0);
    expect(await bot.send(impostor, f.groups.dongfang, '/帮助')).toContain('impostor · 未登记');
  });

  it('is known without /登记, and cannot be unlinked in chat', async () => {
    expect(await bot.send(f.users.zhangsan, '', '/登记 张三 区医保局')).toContain('你已登记为 **张三（区医保局）**');
    expect(await bot.send(f.users.admin, '', '/登记 解除 张三')).toContain('的企业微信账号写在花名册里');
    expect((await entry('张三', '区医保局'))?.userId).toBe('zhangsan');
  });

  it('refuses a caller who is already someone else on the roster', async () => {
    const reply = await bot.send(f.users.zhangsan, f.groups.dongfang, '/登记 张伟 区财政局');
    expect(reply).toContain('你的企业微信账号已登记为 张三（区医保局）');
    expect(await bot.models.RegistrationClaim.countDocuments({ userId: 'zhangsan' })).toBe(0);
  });
});

describe('/登记 never reveals another entry', () => {
  it('asks for the unit without listing the units of people of that name', async () => {
    const reply = await bot.send({ userId: 'zhangwei' }, '', '/登记 张伟');
    expect(reply).toContain('❌ 请同时写上你的单位');
    expect(reply).not.toMatch(/区住建局|区财政局/);
  });

  it('checks the unit exactly (after width and spaces), never a part of it', async () => {
    const part = await bot.send({ userId: 'x1' }, '', '/登记 钱七 局');
    expect(part).toContain('❌ 花名册里没有「钱七（局）」');
    expect(part).not.toContain('区住建局');
    expect(await bot.send({ userId: 'x1' }, '', '/登记 钱七 区残联')).not.toContain('区住建局');
    expect(await bot.send({ userId: 'x1' }, '', '/登记 钱七 区住建 局')).toContain('📝 已提交登记申请：**钱七（区住建局）**');
    expect(await bot.models.Cadre.countDocuments({ userId: 'x1' })).toBe(0);
  });

  it('says what is missing', async () => {
    const reply = await bot.send({ userId: 'x2' }, '', '/登记');
    expect(reply).toContain('❌ 缺少「姓名」');
    expect(reply).toContain('用法：`/登记 张三 区医保局`');
  });
});
