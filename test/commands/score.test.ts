import { createTestBot, type BasicFixture, type TestBot } from '../helpers/bot';

let bot: TestBot;
let f: BasicFixture;

beforeAll(async () => {
  bot = await createTestBot(); // September 2020
  f = await bot.seed.basic();
});
afterAll(() => bot.close());

const scores = (month = '2020-09') => bot.models.InspectionScore.find({ month }).sort({ by: 1 }).lean();

describe('/评分', () => {
  it('records a leader’s score for this month and shows the month so far', async () => {
    const reply = await bot.send(f.users.leader, '', '/评分 济源路 92');
    expect(reply).toContain('✅ 已记录：**济源路街道** 2020年9月 **92 分**');
    expect(reply).toContain('**2020年9月观摩评分**（已评 1 个街道）');
    expect(reply).toContain('1. 济源路街道 **92.0**（1 人评） ←');
    expect(reply).toContain('未评：中心路街道');
    expect(await scores()).toMatchObject([{ street: f.streets.jiyuan._id, month: '2020-09', score: 92, by: 'leader', byName: '刘领导', createdAt: bot.now() }]);
  });

  it('averages the scorers and ranks the streets', async () => {
    await bot.send(f.users.admin, '', '/score 济源路 88 月份=2020-09');
    const reply = await bot.send(f.users.jyAdmin, f.groups.jiyuan, '/评分 中心路 95.5 环境整洁');
    expect(reply).toContain('> 环境整洁');
    expect(reply).toContain('1. 中心路街道 **95.5**（1 人评） ←\n2. 济源路街道 **90.0**（2 人评）');
    expect(await scores()).toHaveLength(3);
  });

  it('replaces the scorer’s own score of that street and month', async () => {
    const reply = await bot.send(f.users.leader, '', '/评分 济源路 96 复查后楼道已清理');
    expect(reply).toContain('✅ 已更新（原 92 分）：**济源路街道** 2020年9月 **96 分**');
    expect(reply).toContain('济源路街道 **92.0**（2 人评）');
    const mine = await bot.models.InspectionScore.find({ by: 'leader' }).lean();
    expect(mine).toMatchObject([{ score: 96, note: '复查后楼道已清理', month: '2020-09' }]);
  });

  it('scores an earlier month', async () => {
    expect(await bot.send(f.users.leader, '', '/评分 中心路 80 月份=上月')).toContain('中心路街道** 2020年8月 **80 分**');
    expect(await scores('2020-08')).toMatchObject([{ street: f.streets.zhongxin._id, score: 80 }]);
  });

  it('refuses cadres, and a street office scoring itself', async () => {
    const cadre = await bot.send(f.users.zhangsan, '', '/评分 济源路 100');
    expect(cadre).toContain('🚫 /评分 仅限领导或管理员使用');
    const own = await bot.send(f.users.jyAdmin, f.groups.jiyuan, '/评分 济源路 100');
    expect(own).toContain('🚫 观摩评分由各街道互评，不能给本街道（济源路街道）评分');
    expect(await bot.models.InspectionScore.countDocuments({ score: 100 })).toBe(0);
  });

  it('says what is wrong with the street, the score or the month', async () => {
    const before = await bot.models.InspectionScore.countDocuments();
    const high = await bot.send(f.users.leader, '', '/评分 济源路 120');
    expect(high).toContain('❌ 分数应在 0 到 100 之间，收到「120」');
    expect(high).toContain('用法：`/评分 济源路 92`');
    expect(await bot.send(f.users.leader, '', '/评分 济源路')).toContain('❌ 缺少「分数」');
    expect(await bot.send(f.users.leader, '', '/评分 济源路 优秀')).toContain('❌ 「优秀」不是分数');
    expect(await bot.send(f.users.leader, '', '/评分 火星路 90')).toContain('❌ 没有找到街道「火星路」');
    expect(await bot.send(f.users.leader, '', '/评分 济源路 90 月份=2020-12')).toContain('❌ 「2020-12」还没到，不能评分');
    expect(await bot.send(f.users.leader, '', '/评分 济源路 90 月份=十三月')).toContain('❌ 看不懂月份「十三月」');
    expect(await bot.models.InspectionScore.countDocuments()).toBe(before);
  });
});
