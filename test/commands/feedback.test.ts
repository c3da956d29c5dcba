import { createTestBot, type BasicFixture, type TestBot } from '../helpers/bot';

let bot: TestBot;
let f: BasicFixture;

beforeAll(async () => {
  bot = await createTestBot();
  f = await bot.seed.basic();
  await bot.send(f.users.stranger, f.groups.dongfang, '/诉求 3号楼楼道灯不亮'); // #1, due Friday 9-18
  await bot.send(f.users.stranger, f.groups.dongfang, '/诉求 单元门关不上'); // #2
  await bot.send(f.users.zhangsan, f.groups.dongfang, '/接单 #1');
});
afterAll(() => bot.close());

const request = (no: number) => bot.models.ResidentRequest.findOne({ no }).lean();

describe('/反馈', () => {
  it('records the assignee’s feedback, on time', async () => {
    bot.setNow('2020-09-17T01:00:00Z'); // Thursday 09:00
    const reply = await bot.send(f.users.zhangsan, f.groups.dongfang, '/反馈 #1 已联系电工，明天上门');
    expect(reply).toContain('✅ 已反馈 **#1**');
    expect(reply).toContain('按时反馈（2个工作日内）');
    expect(reply).toContain('> 已联系电工，明天上门');
    expect(await request(1)).toMatchObject({
      status: '已反馈',
      feedback: '已联系电工，明天上门',
      feedbackAt: bot.now(),
      feedbacks: [{ text: '已联系电工，明天上门', at: bot.now(), by: 'zhangsan', byName: '张三' }],
    });
  });

  it('keeps every feedback; the deadline is judged on the first', async () => {
    const first = bot.now();
    bot.setNow('2020-09-21T02:00:00Z'); // the next Monday, past the deadline
    const reply = await bot.send(f.users.zhangsan, f.groups.dongfang, '/feedback #1 灯泡已订货');
    expect(reply).toContain('第 2 次反馈');
    const r = await request(1);
    expect(r).toMatchObject({ status: '已反馈', feedback: '灯泡已订货', feedbackAt: first });
    expect(r?.feedbacks.map((x) => x.text)).toEqual(['已联系电工，明天上门', '灯泡已订货']);
  });

  it('says when the first feedback is late, and makes an admin who answers untaken the assignee', async () => {
    const reply = await bot.send(f.users.jyAdmin, f.groups.jiyuan, '/反馈 #2 已报物业维修');
    expect(reply).toContain('超期反馈（期限 9月18日（周五））');
    expect(await request(2)).toMatchObject({ status: '已反馈', assignee: f.cadres.jyAdmin._id, feedbackAt: bot.now() });
  });

  it('refuses a cadre of another courtyard', async () => {
    const reply = await bot.send(f.users.lisi, f.groups.dongfang, '/反馈 #1 我来看看');
    expect(reply).toContain('🚫 /反馈 仅限「东方花园」的分包干部或管理员使用');
    expect((await request(1))?.feedbacks).toHaveLength(2);
  });

  it('says what is missing, and refuses feedback on a closed request', async () => {
    const missing = await bot.send(f.users.zhangsan, f.groups.dongfang, '/反馈 #1');
    expect(missing).toContain('❌ 缺少「反馈内容」');
    expect(missing).toContain('用法：`/反馈 #7 已联系电工，明天上门`');
    await bot.send(f.users.zhangsan, f.groups.dongfang, '/办结 #1 已更换');
    expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/反馈 #1 再看看')).toContain('❌ #1 已由 张三 办结（9月21日 10:00），不需要再反馈');
    expect((await request(1))?.feedbacks).toHaveLength(2);
  });
});
