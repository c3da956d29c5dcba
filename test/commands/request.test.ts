import { createTestBot, type BasicFixture, type TestBot } from '../helpers/bot';

let bot: TestBot;
let f: BasicFixture;

beforeAll(async () => {
  bot = await createTestBot();
  f = await bot.seed.basic();
});
afterAll(() => bot.close());

const request = (no: number) => bot.models.ResidentRequest.findOne({ no }).lean();

describe('/诉求', () => {
  it('logs a request for the group’s courtyard, numbered, due in 2 working days, and asks its cadres to take it', async () => {
    const reply = await bot.send(f.users.zhangsan, f.groups.dongfang, '/诉求 3号楼楼道灯不亮');
    expect(reply).toContain('✅ 已登记诉求 **#1** · 东方花园');
    expect(reply).toContain('> 3号楼楼道灯不亮');
    // Logged Wednesday 9-16: Thursday and Friday are the two working days.
    expect(reply).toContain('反馈期限：**9月18日（周五）**前');
    expect(reply).toContain('请 <@zhangsan> 接单：`/接单 #1`');
    expect(await request(1)).toMatchObject({
      courtyard: f.courtyards.dongfang._id,
      street: f.streets.jiyuan._id,
      text: '3号楼楼道灯不亮',
      reporter: { userId: 'zhangsan', name: '张三' },
      status: '点单',
      createdAt: bot.now(),
      dueAt: new Date('2020-09-18T15:59:59.999Z'),
    });
  });

  it('takes anyone’s request, the next number, and a courtyard named with 楼院=', async () => {
    const reply = await bot.send(f.users.stranger, f.groups.jiyuan, '/request 楼道堆满杂物，影响消防通道 楼院=陇海安居');
    expect(reply).toContain('✅ 已登记诉求 **#2** · 陇海安居');
    expect(reply).toContain('> 楼道堆满杂物，影响消防通道');
    expect(reply).toContain('<@lisi>');
    expect(await request(2)).toMatchObject({ courtyard: f.courtyards.longhai._id, reporter: { userId: 'stranger' }, text: '楼道堆满杂物，影响消防通道' });
  });

  it('counts working days by the official calendar: over the National Day holidays', async () => {
    bot.setNow('2020-09-30T07:00:00Z'); // Wednesday 15:00; 10-01…10-08 are holidays, Saturday 10-10 is worked
    const reply = await bot.send(f.users.zhangsan, f.groups.dongfang, '/诉求 下水道堵塞');
    expect(reply).toContain('反馈期限：**10月10日（周六）**前');
    expect((await request(3))?.dueAt).toEqual(new Date('2020-10-10T15:59:59.999Z'));
  });

  it('warns when the courtyard has no cadre to take it', async () => {
    const empty = await bot.seed.courtyard('九冶院', { street: f.streets.jiyuan });
    const reply = await bot.send(f.users.admin, '', '/诉求 路灯坏了 楼院=九冶院');
    expect(reply).toContain('✅ 已登记诉求 **#4** · 九冶院');
    expect(reply).toContain('这个楼院还没有登记的分包干部');
    expect((await request(4))?.courtyard).toEqual(empty._id);
  });

  it('says what is missing or wrong, and logs nothing', async () => {
    const before = await bot.models.ResidentRequest.countDocuments();
    const empty = await bot.send(f.users.zhangsan, f.groups.dongfang, '/诉求');
    expect(empty).toContain('❌ 缺少「诉求内容」');
    expect(empty).toContain('用法：`/诉求 3号楼楼道灯不亮`');
    expect(await bot.send(f.users.zhangsan, f.groups.jiyuan, '/诉求 路面坑洼')).toContain('❌ 请写明楼院');
    expect(await bot.send(f.users.zhangsan, f.groups.jiyuan, '/诉求 路面坑洼 楼院=火星基地')).toContain('没有找到楼院「火星基地」');
    expect(await bot.send(f.users.zhangsan, f.groups.dongfang, `/诉求 ${'很长'.repeat(300)}`)).toContain('❌ 诉求内容太长（600 字），最多 500 字');
    expect(await bot.models.ResidentRequest.countDocuments()).toBe(before);
  });
});
