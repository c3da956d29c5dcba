import help from '../../commands/help';
import milestone from '../../commands/milestone';
import org from '../../commands/org';
import { beijingDate } from '../../src/services/beijing-time';
import { createTestBot, type BasicFixture, type TestBot } from '../helpers/bot';

let bot: TestBot;
let f: BasicFixture;

beforeAll(async () => {
  bot = await createTestBot({ commands: [help, milestone, org] });
  f = await bot.seed.basic();
});
afterAll(() => bot.close());

const find = (title: string) => bot.models.Milestone.findOne({ title }).lean();

describe('/节点 新建', () => {
  it('lets a district admin set a district-wide milestone', async () => {
    const reply = await bot.send(f.users.admin, '', '/节点 新建 党组织全覆盖 截止=9月30日');
    expect(reply).toContain('✅ 节点已设定：**党组织全覆盖** · 9月30日前');
    expect(reply).toContain('范围：全区，3 个楼院');
    expect(reply).toContain('░░░░░░░░░░ 0% 0/3 · 还有 14 天，未完成 3 个');
    expect(reply).toContain('党组织已建的楼院自动计为完成');
    expect(await find('党组织全覆盖')).toMatchObject({ deadline: beijingDate(2020, 9, 30), scope: { kind: 'district' }, done: [], createdBy: 'admin' });
  });

  it('takes the group’s street as the scope, or the one named', async () => {
    expect(await bot.send(f.users.jyAdmin, f.groups.jiyuan, '/节点 新建 自治组织全覆盖 截止=9月25日')).toContain('范围：济源路街道，2 个楼院');
    expect(await find('自治组织全覆盖')).toMatchObject({ scope: { kind: 'street', refId: f.streets.jiyuan._id } });
    await bot.send(f.users.admin, '', '/milestone new 清洁家园 截止=10月31日 范围=中心路');
    expect(await find('清洁家园')).toMatchObject({ scope: { kind: 'street', refId: f.streets.zhongxin._id } });
  });

  it('refuses cadres, and admins outside the scope', async () => {
    const before = await bot.models.Milestone.countDocuments();
    expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/节点 新建 测试 截止=9月30日')).toContain('🚫 /节点 新建 仅限管理员使用');
    expect(await bot.send(f.users.jyAdmin, f.groups.jiyuan, '/节点 新建 测试 截止=9月30日 范围=全区')).toContain('🚫 /节点 新建 仅限全区的管理员使用');
    expect(await bot.send(f.users.jyAdmin, f.groups.jiyuan, '/节点 新建 测试 截止=9月30日 范围=中心路')).toContain('仅限「中心路街道」的管理员使用');
    expect(await bot.models.Milestone.countDocuments()).toBe(before);
  });

  it('says what is wrong, and refuses a title already used where the scopes meet', async () => {
    const before = await bot.models.Milestone.countDocuments();
    const send = (text: string) => bot.send(f.users.admin, f.groups.jiyuan, text);
    const missing = await send('/节点 新建 志愿队全覆盖');
    expect(missing).toContain('❌ 缺少「截止」');
    expect(missing).toContain('用法：`/节点 新建 党组织全覆盖 截止=8月10日`');
    expect(await send('/节点 新建 志愿队全覆盖 截止=昨天')).toContain('❌ 9月15日已经过了（今天是9月16日）');
    expect(await send('/节点 新建 志愿队全覆盖 截止=9月20日 范围=火星')).toContain('没有找到楼院「火星」');
    expect(await send('/节点 新建 党组织全覆盖 截止=9月20日')).toContain('已有节点「党组织全覆盖」（全区，9月30日前）');
    expect(await bot.models.Milestone.countDocuments()).toBe(before);
  });
});

describe('/节点 完成, 列表, 查看', () => {
  it('lets a cadre tick off their courtyard', async () => {
    const reply = await bot.send(f.users.zhangsan, f.groups.dongfang, '/节点 完成 党组织全覆盖');
    expect(reply).toContain('✅ **东方花园** 完成节点 **党组织全覆盖**（按时）');
    expect(reply).toContain('全区：███░░░░░░░ 33% 1/3 · 还有 14 天，未完成 2 个');
    expect((await find('党组织全覆盖'))!.done).toEqual([{ courtyard: f.courtyards.dongfang._id, at: bot.now(), by: 'zhangsan' }]);
    expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/节点 完成 党组织')).toContain('东方花园 已完成节点「党组织全覆盖」（9月16日）');
    expect((await find('党组织全覆盖'))!.done).toHaveLength(1);
  });

  it('refuses a cadre of another courtyard', async () => {
    const reply = await bot.send(f.users.zhangsan, f.groups.dongfang, '/节点 完成 党组织全覆盖 陇海安居');
    expect(reply).toContain('🚫 /节点 完成 仅限「陇海安居」的分包干部或管理员使用');
    expect((await find('党组织全覆盖'))!.done).toHaveLength(1);
  });

  it('counts a courtyard done when /组织 records the organisation the milestone names', async () => {
    await bot.send(f.users.lisi, f.groups.jiyuan, '/组织 居民议事会 已建 陇海安居');
    const reply = await bot.send(f.users.stranger, f.groups.jiyuan, '/节点 查看 自治组织全覆盖');
    expect(reply).toContain('**自治组织全覆盖** · 9月25日前 · 济源路街道');
    expect(reply).toContain('1/2 · 还有 9 天，未完成 1 个');
    expect(reply).toContain('⏳ 东方花园');
    expect(reply).toContain('✅ 陇海安居 9月16日<font color="comment">（组织已建）</font>');
    expect((await find('自治组织全覆盖'))!.done).toEqual([]);
  });

  it('lists the milestones of the group’s scope with done/total and days left', async () => {
    const street = await bot.send(f.users.stranger, f.groups.jiyuan, '/节点 列表');
    expect(street).toContain('**济源路街道 · 阶段节点（挂图作战）**');
    expect(street).toContain('**党组织全覆盖** · 9月30日前 · 全区\n济源路街道：█████░░░░░ 50% 1/2');
    expect(street).toContain('**自治组织全覆盖** · 9月25日前 · 济源路街道');
    expect(street).not.toContain('清洁家园');
    expect(street.indexOf('自治组织全覆盖')).toBeLessThan(street.indexOf('党组织全覆盖'));
    const yard = await bot.send(f.users.stranger, f.groups.dongfang, '/节点');
    expect(yard).toContain('本楼院：✅ 东方花园 9月16日');
    expect(yard).toContain('本楼院：⏳ 东方花园 · 还有 9 天');
    expect(await bot.send(f.users.leader, '', '/节点 列表')).toContain('清洁家园');
  });

  it('shows how late the pending courtyards are after the deadline', async () => {
    bot.setNow('2020-09-28T02:00:00Z');
    const reply = await bot.send(f.users.stranger, f.groups.jiyuan, '/节点 查看 自治组织全覆盖');
    expect(reply).toContain('<font color="warning">逾期 3 天</font>，未完成 1 个');
    const late = await bot.send(f.users.zhangsan, f.groups.dongfang, '/节点 完成 自治组织全覆盖');
    expect(late).toContain('（<font color="warning">逾期 3 天</font>）');
    expect(late).toContain('<font color="info">全部完成</font>');
  });

  it('says what is wrong with the arguments', async () => {
    const send = (text: string) => bot.send(f.users.admin, f.groups.dongfang, text);
    expect(await send('/节点 完成')).toContain('❌ 缺少「节点」');
    expect(await send('/节点 完成 火星计划')).toContain('没有找到节点「火星计划」');
    expect(await send('/节点 完成 清洁家园')).toContain('没有找到节点「清洁家园」');
    expect(await send('/节点 查看')).toContain('缺少「节点」');
    expect(await send('/节点 列表 abc')).toContain('「页码」应为整数');
    expect((await find('清洁家园'))!.done).toEqual([]);
  });
});
