import { createTestBot, type BasicFixture, type TestBot } from '../helpers/bot';

let bot: TestBot;
let f: BasicFixture;
const resident = { userId: 'resident-li', name: '李阿姨' };

beforeAll(async () => {
  bot = await createTestBot();
  f = await bot.seed.basic();
  await bot.send(resident, f.groups.dongfang, '/诉求 3号楼楼道灯不亮'); // #1
  await bot.send(f.users.zhangsan, f.groups.dongfang, '/办结 #1 已更换灯泡');
  await bot.send(resident, f.groups.dongfang, '/诉求 单元门关不上'); // #2, still open
});
afterAll(() => bot.close());

const request = (no: number) => bot.models.ResidentRequest.findOne({ no }).lean();

describe('/评价', () => {
  it('takes the reporter’s rating of a closed request, with the courtyard’s figures', async () => {
    const reply = await bot.send(resident, f.groups.dongfang, '/评价 #1 满意');
    expect(reply).toContain('✅ 已评价 **#1**：<font color="info">满意</font>');
    // #1 closed (counts as fed back) and rated; #2 open without feedback.
    expect(reply).toContain('东方花园诉求 2 件：反馈率 50% · 办结率 50% · 满意率 100%');
    expect(await request(1)).toMatchObject({ rating: '满意', ratedAt: bot.now(), ratedBy: 'resident-li' });
  });

  it('lets a cadre of the courtyard record the resident’s rating again, replacing it', async () => {
    const reply = await bot.send(f.users.zhangsan, f.groups.dongfang, '/rate #1 不满意 灯还是忽明忽暗');
    expect(reply).toContain('✅ 已更新评价 **#1**：<font color="warning">不满意</font>');
    expect(reply).toContain('> 灯还是忽明忽暗');
    expect(reply).toContain('满意率 0%');
    expect(await request(1)).toMatchObject({ rating: '不满意', ratedBy: 'zhangsan', ratingNote: '灯还是忽明忽暗' });
  });

  it('refuses someone who neither logged it nor looks after the courtyard', async () => {
    const stranger = await bot.send(f.users.stranger, f.groups.dongfang, '/评价 #1 满意');
    expect(stranger).toContain('🚫 /评价 仅限诉求登记人，或该楼院的分包干部、管理员代居民评价');
    // An unregistered account is not told who the cadres are; someone on the roster is.
    expect(stranger).not.toContain('张三');
    const lisi = await bot.send(f.users.lisi, f.groups.dongfang, '/评价 #1 满意');
    expect(lisi).toContain('🚫');
    expect(lisi).toContain('张三（分包干部）');
    expect(await request(1)).toMatchObject({ rating: '不满意', ratedBy: 'zhangsan' });
  });

  it('waits for the request to be closed, and names the three ratings', async () => {
    expect(await bot.send(resident, f.groups.dongfang, '/评价 #2 满意')).toContain('❌ #2 还没有人接单；办结后才能评价');
    const wrong = await bot.send(resident, f.groups.dongfang, '/评价 #1 挺好');
    expect(wrong).toContain('❌ 「评价」应为 满意、基本满意、不满意 之一，收到「挺好」');
    expect(wrong).toContain('用法：`/评价 #7 满意`');
    expect(await bot.send(resident, f.groups.dongfang, '/评价 #1')).toContain('❌ 缺少「评价」');
    expect((await request(2))?.rating).toBeUndefined();
    expect(await request(1)).toMatchObject({ rating: '不满意' });
  });
});
