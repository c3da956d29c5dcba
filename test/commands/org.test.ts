import help from '../../commands/help';
import org from '../../commands/org';
import { createTestBot, type BasicFixture, type TestBot } from '../helpers/bot';

let bot: TestBot;
let f: BasicFixture;

beforeAll(async () => {
  bot = await createTestBot({ commands: [help, org] });
  f = await bot.seed.basic();
});
afterAll(() => bot.close());

const cleanups: Array<() => Promise<unknown>> = [];
const onCleanup = (f: () => Promise<unknown>) => cleanups.push(f);
afterEach(async () => {
  for (const f of cleanups.splice(0)) await f();
});

const orgs = async (id = f.courtyards.dongfang._id) => (await bot.models.Courtyard.findById(id).lean())!.orgs;
const audits = () => bot.models.AuditEntry.countDocuments({ modelName: 'Courtyard' });

describe('/组织', () => {
  it('keeps a dated history of every change, written with the change', async () => {
    bot.setNow(new Date('2020-09-16T02:00:00Z'));
    const yard = await bot.seed.courtyard('历史院', { street: f.streets.zhongxin });
    onCleanup(() => bot.models.Courtyard.deleteOne({ _id: yard._id }));
    await bot.send(f.users.admin, f.groups.jiyuan, '/组织 志愿队 2 楼院=历史院');
    bot.advance(3_600_000);
    await bot.send(f.users.admin, f.groups.jiyuan, '/组织 党支部 已建 楼院=历史院');
    const doc = (await bot.models.Courtyard.findById(yard._id).lean())!;
    expect(doc.orgHistory.map((h) => [h.at.toISOString(), h.by, h.before.volunteerTeams, h.after.volunteerTeams, h.before.party?.status, h.after.party?.status])).toEqual([
      ['2020-09-16T02:00:00.000Z', 'admin', 0, 2, '未建', '未建'],
      ['2020-09-16T03:00:00.000Z', 'admin', 2, 2, '未建', '已建'],
    ]);
  });

  it('records each of several changes sent at once exactly once, none lost', async () => {
    const yard = await bot.seed.courtyard('并发院', { street: f.streets.zhongxin });
    onCleanup(() => bot.models.Courtyard.deleteOne({ _id: yard._id }));
    const send = (user: typeof f.users.admin, line: string) => bot.send(user, f.groups.jiyuan, `${line} 楼院=并发院`);
    const replies = await Promise.all([
      send(f.users.admin, '/组织 志愿队 3'),
      send(f.users.admin, '/组织 志愿队 3'),
      send(f.users.admin, '/组织 党小组 已建'),
      send(f.users.admin, '/组织 自管会 筹建中'),
    ]);
    const doc = (await bot.models.Courtyard.findById(yard._id).lean())!;
    // Every distinct change is in; the same change twice went in once.
    expect(doc.orgs).toMatchObject({ party: { status: '已建', kind: '党小组' }, selfGov: { status: '筹建中', kind: '自管会' }, volunteerTeams: 3 });
    expect(replies.filter((r) => r.includes('✅ 已记录'))).toHaveLength(3);
    expect(replies.filter((r) => r.includes('已是 3 支，无需更改'))).toHaveLength(1);
    // One history entry per change, each starting where the one before it ended.
    expect(doc.orgHistory).toHaveLength(3);
    const state = (o: { party?: { status?: string | null } | null; selfGov?: { status?: string | null } | null; volunteerTeams?: number | null } | null | undefined) =>
      `${o?.party?.status}/${o?.selfGov?.status}/${o?.volunteerTeams}`;
    for (let i = 1; i < doc.orgHistory.length; i++) expect(state(doc.orgHistory[i]!.before)).toBe(state(doc.orgHistory[i - 1]!.after));
    expect(state(doc.orgHistory.at(-1)!.after)).toBe(state(doc.orgs));
    expect(await bot.models.AuditEntry.countDocuments({ modelName: 'Courtyard', docId: yard._id })).toBe(3);
  });

  it('records the party organisation of the group’s courtyard, with its kind and when', async () => {
    const reply = await bot.send(f.users.zhangsan, f.groups.dongfang, '/组织 党支部 已建');
    expect(reply).toContain('✅ 已记录：东方花园 党组织 → 已建（党支部）');
    expect(reply).toContain('**东方花园 · 三类组织**');
    expect(reply).toContain('✅ 党组织：已建（党支部）');
    expect(reply).toContain('❌ 自治组织：未建');
    expect(reply).toContain('<font color="warning">未全覆盖：缺自治组织、志愿服务队</font>');
    expect((await orgs()).party).toMatchObject({ status: '已建', kind: '党支部', builtAt: bot.now() });
    expect(await bot.models.AuditEntry.findOne({ modelName: 'Courtyard', actor: 'zhangsan' }).lean()).toMatchObject({ op: 'update' });
  });

  it('records the self-governing body and the volunteer teams, and says when all three are covered', async () => {
    expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/组织 自管会 筹建中')).toContain('⏳ 自治组织：筹建中（自管会）');
    expect((await orgs()).selfGov).toMatchObject({ status: '筹建中', kind: '自管会' });
    expect((await orgs()).selfGov.builtAt).toBeUndefined();
    await bot.send(f.users.zhangsan, f.groups.dongfang, '/组织 自治组织 已成立');
    const reply = await bot.send(f.users.zhangsan, f.groups.dongfang, '/org 志愿队 3支');
    expect(reply).toContain('✅ 已记录：东方花园 志愿服务队 0 → 3 支');
    expect(reply).toContain('<font color="info">三类组织已全覆盖</font>');
    expect(reply).toContain('🎉 三类组织全覆盖达成');
    expect(await orgs()).toMatchObject({ selfGov: { status: '已建', kind: '自管会' }, volunteerTeams: 3 });
  });

  it('writes nothing when the state is already so', async () => {
    const before = await audits();
    expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/组织 党支部 已建')).toContain('东方花园 的党组织已是「已建」，无需更改');
    expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/组织 志愿队 三')).toContain('已是 3 支，无需更改');
    expect(await audits()).toBe(before);
  });

  it('shows a courtyard, or the coverage of a street with the courtyards still missing some', async () => {
    const mine = await bot.send(f.users.zhangsan, f.groups.dongfang, '/组织');
    expect(mine).toContain('**东方花园 · 三类组织**');
    expect(mine).toContain('✅ 志愿服务队：3 支');
    expect(await bot.send(f.users.lisi, '', '/组织 东方花园')).toContain('三类组织已全覆盖');
    const street = await bot.send(f.users.jyAdmin, f.groups.jiyuan, '/组织');
    expect(street).toContain('**济源路街道 · 三类组织**');
    expect(street).toContain('全覆盖 1/2（50%）');
    expect(street).toContain('党组织 1/2 · 自治组织 1/2 · 志愿服务队 1/2');
    expect(street).toContain('陇海安居：缺党组织、自治组织、志愿服务队');
  });

  it('records for a named courtyard, and clears the kind when set back to 未建', async () => {
    await bot.send(f.users.lisi, f.groups.jiyuan, '/组织 临时党支部 已建 楼院=陇海安居');
    expect((await orgs(f.courtyards.longhai._id)).party).toMatchObject({ status: '已建', kind: '临时党支部' });
    const reply = await bot.send(f.users.lisi, f.groups.jiyuan, '/组织 党组织 未建 陇海安居');
    expect(reply).toContain('❌ 党组织：未建');
    const party = (await orgs(f.courtyards.longhai._id)).party;
    expect(party.status).toBe('未建');
    expect(party.kind).toBeUndefined();
    expect(party.builtAt).toBeUndefined();
  });

  it('refuses a cadre of another courtyard, and a leader, changing nothing', async () => {
    const before = await audits();
    const reply = await bot.send(f.users.lisi, f.groups.dongfang, '/组织 自管会 未建');
    expect(reply).toContain('🚫 /组织 仅限「东方花园」的分包干部或管理员使用');
    expect(reply).toContain('张三（分包干部）');
    expect(await bot.send(f.users.leader, f.groups.dongfang, '/组织 志愿队 0')).toContain('🚫 /组织 仅限分包干部或管理员使用');
    expect(await orgs()).toMatchObject({ selfGov: { status: '已建' }, volunteerTeams: 3 });
    expect(await audits()).toBe(before);
  });

  it('says what is wrong with the arguments', async () => {
    const before = await audits();
    const send = (text: string, chat = f.groups.dongfang) => bot.send(f.users.admin, chat, text);
    const unknown = await send('/组织 党委 已建');
    expect(unknown).toContain('❌ 「党委」不是组织名称，应为 党支部、党小组、临时党支部、功能型党组织、业委会、自管会、居民议事会、志愿队 之一');
    expect(unknown).toContain('用法：`/组织 党支部 已建`');
    expect(await send('/组织 党支部')).toContain('请写状态：已建、筹建中 或 未建');
    expect(await send('/组织 党支部 差不多')).toContain('状态应为 已建、筹建中、未建 之一，收到「差不多」');
    expect(await send('/组织 志愿队 很多')).toContain('志愿服务队的支数应为 0 到 999 的整数，收到「很多」');
    expect(await send('/组织 志愿队 -1')).toContain('支数应为 0 到 999');
    expect(await send('/组织 党支部 已建', 'grp-unbound')).toContain('请写明楼院');
    expect(await send('/组织 东方花园 已建')).toContain('多余的参数：「已建」');
    expect(await audits()).toBe(before);
  });
});
