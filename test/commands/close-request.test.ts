import { createTestBot, type BasicFixture, type TestBot } from '../helpers/bot';

let bot: TestBot;
let f: BasicFixture;

beforeAll(async () => {
  bot = await createTestBot();
  f = await bot.seed.basic();
  await bot.send(f.users.stranger, f.groups.dongfang, '/诉求 楼道里有杂物'); // #1
  await bot.send(f.users.stranger, f.groups.dongfang, '/诉求 3号楼楼道灯不亮'); // #2
});
afterAll(() => bot.close());

const request = (no: number) => bot.models.ResidentRequest.findOne({ no }).lean();

describe('/办结', () => {
  it('closes a request at once (立行立办), which counts as fed back now', async () => {
    bot.advance(20 * 60_000);
    const reply = await bot.send(f.users.zhangsan, f.groups.dongfang, '/办结 #1 已清理');
    expect(reply).toContain('✅ 已办结 **#1** · <font color="info">立行立办</font>');
    expect(reply).toContain('办结说明：已清理');
    expect(reply).toContain('请居民评价：`/评价 #1 满意`');
    expect(await request(1)).toMatchObject({
      status: '已办结',
      closedAt: bot.now(),
      feedbackAt: bot.now(),
      resolution: '已清理',
      assignee: f.cadres.zhangsan._id,
      acceptedAt: bot.now(),
    });
  });

  it('closes after feedback, keeping the feedback time', async () => {
    await bot.send(f.users.zhangsan, f.groups.dongfang, '/接单 #2');
    await bot.send(f.users.zhangsan, f.groups.dongfang, '/反馈 #2 已联系电工');
    const fedBackAt = bot.now();
    bot.setNow('2020-09-22T02:00:00Z');
    const reply = await bot.send(f.users.admin, f.groups.dongfang, '/close #2');
    expect(reply).toContain('✅ 已办结 **#2** · <font color="info">按时反馈</font>');
    expect(await request(2)).toMatchObject({ status: '已办结', closedAt: bot.now(), feedbackAt: fedBackAt, assignee: f.cadres.zhangsan._id });
  });

  it('refuses a cadre of another courtyard', async () => {
    await bot.send(f.users.stranger, f.groups.dongfang, '/诉求 单元门坏了'); // #3
    const reply = await bot.send(f.users.lisi, f.groups.dongfang, '/办结 #3 修好了');
    expect(reply).toContain('🚫 /办结 仅限「东方花园」的分包干部或管理员使用');
    expect(await request(3)).toMatchObject({ status: '点单' });
  });

  it('says when it is closed already, or the number is wrong', async () => {
    expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/办结 #1 再次清理')).toContain('❌ #1 已由 张三 办结（9月16日 10:20）');
    expect((await request(1))?.resolution).toBe('已清理');
    const wrong = await bot.send(f.users.zhangsan, f.groups.dongfang, '/办结 三号');
    expect(wrong).toContain('❌ 「三号」不是诉求编号');
    expect(wrong).toContain('用法：`/办结 #7 已更换灯泡`');
    expect(await request(3)).toMatchObject({ status: '点单' });
  });
});
