/**
 * /干部 新增 · 调整 · 停用 · 列表 through signed callbacks: who may, what is refused, the
 * roster after, and the score after — a past week keeps who was assigned then.
 */
import type { Types } from 'mongoose';
import { BEFORE_HISTORY } from '../../src/services/history';
import { weekPeriod } from '../../src/services/period';
import { computeRanking } from '../../src/services/ranking';
import { createTestBot, type BasicFixture, type TestBot } from '../helpers/bot';

/** That Beijing wall-clock time. */
const bj = (text: string) => new Date(`${text.replace(' ', 'T')}:00+08:00`);

let bot: TestBot;
let f: BasicFixture;

beforeEach(async () => {
  bot = await createTestBot();
  f = await bot.seed.basic();
});
afterEach(() => bot.close());

const entry = (name: string, unit?: string) => bot.models.Cadre.findOne({ name, ...(unit ? { unit } : {}) }).lean();
const ids = (xs: readonly { _id: Types.ObjectId }[]) => xs.map((x) => String(x._id));

describe('/干部 新增', () => {
  it('adds a cadre of the street admin’s courtyards, dated from now', async () => {
    const reply = await bot.send(f.users.jyAdmin, f.groups.jiyuan, '/干部 新增 钱八 区教育局 楼院=东方花园、陇海安居 手机=13800000011');
    expect(reply).toContain('✅ **钱八（区教育局）** 已加入花名册');
    expect(reply).toContain('分包楼院：东方花园、陇海安居');
    expect(reply).toContain('138＊＊＊＊0011');
    const stored = (await entry('钱八'))!;
    expect(stored).toMatchObject({ unit: '区教育局', mobile: '13800000011', roles: ['cadre'], active: true });
    expect(stored.courtyards.map(String)).toEqual(ids([f.courtyards.dongfang, f.courtyards.longhai]));
    expect(stored.assignments.map((a) => [String(a.courtyard), a.from, a.to])).toEqual([
      [String(f.courtyards.dongfang._id), bot.now(), null],
      [String(f.courtyards.longhai._id), bot.now(), null],
    ]);
    expect(await bot.models.AuditEntry.countDocuments({ modelName: 'Cadre', docId: stored._id, op: 'create', actor: 'jy-admin' })).toBe(1);
  });

  it('refuses a street admin another street’s courtyard, and anyone but an admin', async () => {
    expect(await bot.send(f.users.jyAdmin, f.groups.jiyuan, '/干部 新增 钱八 区教育局 楼院=水泵厂家属院')).toMatch(/^🚫 .*「水泵厂家属院」的管理员/);
    expect(await bot.send(f.users.jyAdmin, f.groups.jiyuan, '/干部 新增 钱八 区教育局 楼院=东方花园、水泵厂家属院')).toContain('🚫');
    expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/干部 新增 钱八 区教育局 楼院=东方花园')).toMatch(/^🚫 .*仅限管理员/);
    expect(await bot.send(f.users.leader, '', '/干部 新增 钱八 区教育局 楼院=东方花园')).toContain('🚫');
    expect(await entry('钱八')).toBeNull();
    // The district admin may anywhere.
    expect(await bot.send(f.users.admin, '', '/干部 新增 钱八 区教育局 楼院=水泵厂家属院')).toContain('✅');
  });

  it('answers wrong input in Chinese with the usage, adding nobody', async () => {
    const missing = await bot.send(f.users.admin, '', '/干部 新增 钱八 区教育局');
    expect(missing).toMatch(/^❌ .*楼院/);
    expect(missing).toContain('用法：`/干部 新增 王五 区教育局 楼院=九冶院 手机=13800000001`');
    expect(await bot.send(f.users.admin, '', '/干部 新增 钱八 区教育局 楼院=火星小区')).toMatch(/^❌ .*没有找到楼院「火星小区」/);
    expect(await bot.send(f.users.admin, '', '/干部 新增 钱八 区教育局 楼院=东方花园 手机=1380000')).toMatch(/^❌ .*手机号应为 11 位数字/);
    expect(await bot.send(f.users.admin, '', '/干部 新增 钱八 楼院=东方花园')).toMatch(/^❌ .*单位/);
    expect(await entry('钱八')).toBeNull();
  });

  it('refuses a mobile someone already has, and the same person twice', async () => {
    await bot.models.Cadre.updateOne({ _id: f.cadres.zhangsan._id }, { $set: { mobile: '13800000001' } });
    expect(await bot.send(f.users.admin, '', '/干部 新增 钱八 区教育局 楼院=东方花园 手机=138-0000-0001')).toMatch(/^❌ 手机号 138＊＊＊＊0001 已属于 张三（区医保局）/);
    expect(await entry('钱八')).toBeNull();
    expect(await bot.send(f.users.admin, '', '/干部 新增 张三 区医保局 楼院=陇海安居')).toMatch(/^❌ 张三（区医保局） 已在花名册中/);
    expect((await entry('张三'))!.courtyards.map(String)).toEqual(ids([f.courtyards.dongfang]));
  });

  it('never lets two people sent at once keep one mobile', async () => {
    for (let i = 0; i < 10; i++) {
      const mobile = `139000000${String(i).padStart(2, '0')}`;
      const replies = await Promise.all([
        bot.send(f.users.admin, '', `/干部 新增 甲${i} 区教育局 楼院=东方花园 手机=${mobile}`),
        bot.send(f.users.jyAdmin, '', `/干部 新增 乙${i} 区教育局 楼院=陇海安居 手机=${mobile}`),
      ]);
      expect(await bot.models.Cadre.countDocuments({ mobile, active: true })).toBeLessThanOrEqual(1);
      expect(replies.filter((r) => r.includes('✅')).length).toBeLessThanOrEqual(1);
      for (const r of replies) expect(r).toMatch(/✅|已属于|刚刚也登记给了/);
    }
  });

  it('takes a namesake from another unit, and then asks which one is meant', async () => {
    const reply = await bot.send(f.users.admin, '', '/干部 新增 王五 区医保局 楼院=陇海安居 手机=13800000012');
    expect(reply).toContain('✅ **王五（区医保局）** 已加入花名册');
    expect(reply).toContain('花名册里还有 王五（区教育局）');
    const which = await bot.send(f.users.admin, '', '/干部 停用 王五');
    expect(which).toMatch(/^❌ 有 2 位「王五」：王五（区医保局） 138＊＊＊＊0012、王五（区教育局）。请写成 王五\(单位\) 或 王五\(手机号\)/);
    expect(await bot.send(f.users.admin, '', '/干部 调整 王五(13800000012) 楼院=东方花园')).toContain('✅ 已调整 **王五（区医保局）**');
    expect((await entry('王五', '区医保局'))!.courtyards.map(String)).toEqual(ids([f.courtyards.dongfang]));
    expect(await bot.send(f.users.admin, '', '/干部 停用 王五(区教育局)')).toContain('⛔ 已停用 **王五（区教育局）**');
    expect((await entry('王五', '区教育局'))!.active).toBe(false);
    expect((await entry('王五', '区医保局'))!.active).toBe(true);
    // By the mobile alone.
    expect(await bot.send(f.users.admin, '', '/干部 停用 13800000012')).toContain('⛔ 已停用 **王五（区医保局）**');
  });
});

describe('/干部 调整', () => {
  it('replaces the courtyards from now on: the past week keeps the old ones, the current week follows the new', async () => {
    // Last week (09-07…13): 张三 is a cadre of 东方花园 and spends half a day there.
    bot.setNow(bj('2020-09-09 10:00'));
    expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/下沉 半天 清理杂物')).toContain('✅');
    const lastWeek = weekPeriod(bj('2020-09-09 10:00'));
    const rank = (courtyard: { _id: Types.ObjectId }, period = lastWeek) =>
      computeRanking(bot.models, { level: 'cadre', period, courtyardId: String(courtyard._id), now: bot.now() });
    const before = await rank(f.courtyards.dongfang);
    expect(before.find((r) => r.name === '张三')).toMatchObject({ courtyardIds: [String(f.courtyards.dongfang._id)], parts: { visits: 100 } });

    // Monday 09-14 00:00: 张三 moves to 陇海安居.
    bot.setNow(bj('2020-09-14 00:00'));
    const reply = await bot.send(f.users.jyAdmin, f.groups.jiyuan, '/干部 调整 张三 楼院=陇海安居');
    expect(reply).toContain('✅ 已调整 **张三（区医保局）**');
    expect(reply).toContain('分包楼院：东方花园 → 陇海安居（9月14日起）');
    const stored = (await entry('张三'))!;
    expect(stored.courtyards.map(String)).toEqual(ids([f.courtyards.longhai]));
    expect(stored.assignments.map((a) => [String(a.courtyard), a.from, a.to])).toEqual([
      [String(f.courtyards.dongfang._id), BEFORE_HISTORY, bj('2020-09-14 00:00')],
      [String(f.courtyards.longhai._id), bj('2020-09-14 00:00'), null],
    ]);

    // Wednesday: last week is as it was; this week 张三 is 陇海安居's, not 东方花园's.
    bot.setNow(bj('2020-09-16 10:00'));
    expect(await rank(f.courtyards.dongfang)).toEqual(before);
    const thisWeek = weekPeriod(bot.now());
    expect((await rank(f.courtyards.dongfang, thisWeek)).map((r) => r.name)).not.toContain('张三');
    expect((await rank(f.courtyards.longhai, thisWeek)).find((r) => r.name === '张三')).toMatchObject({ courtyardIds: [String(f.courtyards.longhai._id)] });
    // And he reports where he now belongs: with no courtyard named, a 1:1 /下沉 goes to 陇海安居.
    expect(await bot.send(f.users.zhangsan, '', '/下沉 半天 政策宣讲')).toContain('陇海安居');
  });

  it('lets a street admin set only their street’s courtyards, keeping the others', async () => {
    // 李四: 陇海安居 (济源路) and 水泵厂家属院 (中心路).
    expect(await bot.send(f.users.jyAdmin, '', '/干部 调整 李四 楼院=东方花园')).toContain('陇海安居、水泵厂家属院 → 水泵厂家属院、东方花园');
    expect((await entry('李四'))!.courtyards.map(String)).toEqual(ids([f.courtyards.shuibeng, f.courtyards.dongfang]));
    expect(await bot.send(f.users.jyAdmin, '', '/干部 调整 李四 楼院=东方花园')).toContain('无需更改');
  });

  it('refuses another street’s cadre or courtyard, and a non-admin; says what is wrong', async () => {
    await bot.seed.cadre({ name: '孙六', unit: '区民政局', courtyards: [f.courtyards.shuibeng] });
    expect(await bot.send(f.users.jyAdmin, '', '/干部 调整 孙六 楼院=东方花园')).toMatch(/^🚫 .*「水泵厂家属院」的管理员/);
    expect(await bot.send(f.users.jyAdmin, '', '/干部 调整 张三 楼院=水泵厂家属院')).toMatch(/^🚫 .*「水泵厂家属院」的管理员/);
    expect(await bot.send(f.users.zhangsan, '', '/干部 调整 张三 楼院=陇海安居')).toMatch(/^🚫/);
    expect((await entry('孙六'))!.courtyards.map(String)).toEqual(ids([f.courtyards.shuibeng]));
    expect((await entry('张三'))!.courtyards.map(String)).toEqual(ids([f.courtyards.dongfang]));
    const bare = await bot.send(f.users.admin, '', '/干部 调整 张三');
    expect(bare).toMatch(/^❌ .*楼院/);
    expect(bare).toContain('用法：`/干部 调整 王五 楼院=九冶院、三湾街18号楼`');
    expect(await bot.send(f.users.admin, '', '/干部 调整 查无此人 楼院=东方花园')).toMatch(/^❌ .*花名册里没有「查无此人」/);
    expect(await bot.send(f.users.admin, '', '/干部 调整 王管理 楼院=东方花园')).toMatch(/^❌ 王管理（区委城乡社治委） 不是分包干部/);
  });
});

describe('/干部 停用', () => {
  it('stops a cadre: no more reports, out of the current week, the past week unchanged', async () => {
    bot.setNow(bj('2020-09-09 10:00'));
    expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/下沉 半天 清理杂物')).toContain('✅');
    expect(await bot.send(f.users.admin, f.groups.dongfang, '/项目 新建 路面硬化 类别=工程 截止=9月30日 责任人=张三')).toContain('#1');
    const lastWeek = weekPeriod(bot.now());
    const rank = (period = lastWeek) => computeRanking(bot.models, { level: 'cadre', period, courtyardId: String(f.courtyards.dongfang._id), now: bot.now() });
    const before = await rank();
    expect(before.map((r) => r.name)).toContain('张三');

    bot.setNow(bj('2020-09-14 00:00'));
    const reply = await bot.send(f.users.jyAdmin, f.groups.jiyuan, '/干部 停用 张三');
    expect(reply).toContain('⛔ 已停用 **张三（区医保局）**（9月14日起）');
    expect(reply).toContain('名下还有进行中的项目 #1');
    const stored = (await entry('张三'))!;
    expect(stored).toMatchObject({ active: false, deactivatedAt: bj('2020-09-14 00:00'), courtyards: [] });
    expect(stored.assignments.map((a) => a.to)).toEqual([bj('2020-09-14 00:00')]);

    bot.setNow(bj('2020-09-16 10:00'));
    expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/下沉 半天 清理杂物')).toMatch(/^🚫/);
    expect(await bot.models.Visit.countDocuments({ cadre: stored._id })).toBe(1);
    expect(await rank()).toEqual(before);
    expect((await rank(weekPeriod(bot.now()))).map((r) => r.name)).not.toContain('张三');
    expect(await bot.send(f.users.admin, '', '/干部 停用 张三')).toContain('已于 9月14日 停用');
    // Back on the roster, a new stretch begins.
    expect(await bot.send(f.users.admin, '', '/干部 新增 张三 区医保局 楼院=陇海安居')).toContain('已恢复为分包干部');
    const back = (await entry('张三'))!;
    expect(back).toMatchObject({ active: true });
    expect(back.assignments.map((a) => [String(a.courtyard), a.to])).toEqual([
      [String(f.courtyards.dongfang._id), bj('2020-09-14 00:00')],
      [String(f.courtyards.longhai._id), null],
    ]);
  });

  it('refuses another street’s cadre, one shared with another street, and admins', async () => {
    await bot.seed.cadre({ name: '孙六', unit: '区民政局', courtyards: [f.courtyards.shuibeng] });
    expect(await bot.send(f.users.jyAdmin, '', '/干部 停用 孙六')).toMatch(/^🚫/);
    expect(await bot.send(f.users.jyAdmin, '', '/干部 停用 李四')).toMatch(/^🚫 李四（区残联） 还分包其他街道的楼院（水泵厂家属院）/);
    expect(await bot.send(f.users.lisi, '', '/干部 停用 张三')).toMatch(/^🚫/);
    expect(await bot.send(f.users.admin, '', '/干部 停用 赵街道')).toMatch(/^❌ .*是管理员或领导/);
    expect(await bot.send(f.users.admin, '', '/干部 停用')).toMatch(/^❌ .*干部/);
    expect(await bot.models.Cadre.countDocuments({ active: false })).toBe(0);
  });
});

describe('/干部 列表', () => {
  it('lists the cadres of the street, or of one courtyard, with masked mobiles', async () => {
    await bot.models.Cadre.updateOne({ _id: f.cadres.zhangsan._id }, { $set: { mobile: '13800000001' } });
    const street = await bot.send(f.users.jyAdmin, '', '/干部 列表');
    expect(street).toContain('**济源路街道 · 分包干部 3 人**');
    expect(street).toContain('**张三** · 区医保局 · 东方花园 · 138＊＊＊＊0001 · 已关联');
    expect(street).toContain('**李四** · 区残联 · 陇海安居 等 2 处');
    expect(street).toContain('**王五** · 区教育局 · 东方花园 · <font color="comment">未关联企业微信</font>');
    expect(street).not.toContain('13800000001');
    const yard = await bot.send(f.users.jyAdmin, '', '/干部 列表 陇海安居');
    expect(yard).toContain('**陇海安居 · 分包干部 1 人**');
    expect(await bot.send(f.users.jyAdmin, '', '/干部 列表 水泵厂家属院')).toMatch(/^🚫/);
    expect(await bot.send(f.users.zhangsan, '', '/干部 列表')).toMatch(/^🚫/);
    expect(await bot.send(f.users.admin, '', '/干部 列表 页码=0')).toMatch(/^❌ .*页码/);
    expect(await bot.send(f.users.admin, '', '/干部')).toContain('**全区 · 分包干部 3 人**');
  });
});
