import overdue from '../../commands/overdue';
import { createTestBot, type BasicFixture, type TestBot } from '../helpers/bot';
import { bj, recordCounts, seedQueries } from './query-seed';

let bot: TestBot;
let f: BasicFixture;

beforeAll(async () => {
  bot = await createTestBot({ commands: [overdue] });
  f = await bot.seed.basic();
  await seedQueries(bot, f);
});
afterAll(() => bot?.close());

const plain = (md: string) => md.replace(/<\/?font[^>]*>/g, '').split('\n');

describe('/逾期', () => {
  it('lists what is late in a courtyard group, most late first, with who answers for it', async () => {
    const before = await recordCounts(bot);
    // Wed 09-16: #3 was due 09-10 (6 days); request #1 was due Mon 09-14 end (2 days), nobody took
    // it, so the courtyard's cadres 张三 and 王五 answer. Wednesday: no half day is late yet.
    const reply = await bot.send(f.users.stranger, f.groups.dongfang, '/逾期');
    expect(plain(reply)).toEqual([
      '**⏰ 东方花园 · 逾期事项** 共 2 项',
      '项目 1 · 诉求 1',
      '逾期6天 项目 #3 雨污分流 · 责任人 张三',
      '超期2天 诉求 #1 诉求1（未反馈） · 责任人 张三、王五',
    ]);
    expect(await recordCounts(bot)).toEqual(before);
  });

  it('adds the cadres without their half day from Thursday, and names the courtyards in a street group', async () => {
    bot.setNow(bj('2020-09-17 10:00'));
    const reply = await bot.send(f.users.lisi, f.groups.jiyuan, '/overdue');
    // 张三 logged 4 h on 09-15; 王五 nothing; 李四's 8 h were last week.
    expect(plain(reply)).toEqual([
      '**⏰ 济源路街道 · 逾期事项** 共 4 项',
      '项目 1 · 诉求 1 · 下沉 2',
      '逾期7天 项目 #3 雨污分流 · 东方花园 · 责任人 张三',
      '超期3天 诉求 #1 诉求1（未反馈） · 东方花园 · 责任人 张三、王五',
      '本周未下沉 王五（已下沉0小时，应不少于4小时） · 东方花园',
      '本周未下沉 李四（已下沉0小时，应不少于4小时） · 陇海安居',
    ]);
    bot.setNow(bj('2020-09-16 10:00'));
  });

  it('says so when nothing is late', async () => {
    bot.setNow(bj('2020-09-09 10:00'));
    expect(plain(await bot.send(f.users.stranger, f.groups.dongfang, '/逾期'))).toEqual(['**⏰ 东方花园 · 逾期事项**', '✅ 目前没有逾期事项']);
    bot.setNow(bj('2020-09-16 10:00'));
  });

  it('pages a long list', async () => {
    const { longhai } = f.courtyards;
    for (let no = 200; no < 260; no++) {
      await bot.models.Project.create({ no, courtyard: longhai._id, street: longhai.street, category: '工程', title: `楼道粉刷第${no}号（三号楼至十二号楼）`, deadline: bj('2020-09-01 00:00'), owner: f.cadres.lisi._id, createdAt: bj('2020-08-01 09:00') });
    }
    const first = await bot.send(f.users.stranger, f.groups.jiyuan, '/逾期');
    expect(Buffer.byteLength(first)).toBeLessThanOrEqual(4096);
    expect(first).toContain('共 62 项');
    expect(first).toMatch(/第 1\/\d 页，发送 `\/逾期 2` 看下一页/);
    const second = await bot.send(f.users.stranger, f.groups.jiyuan, '/逾期 2');
    expect(second).toMatch(/第 2\/\d 页/);
    expect(second).not.toContain('#200 ');
    await bot.models.Project.deleteMany({ no: { $gte: 200 } });
  });

  it('asks for a bound group when there is no scope, and says what is wrong with the page', async () => {
    const before = await recordCounts(bot);
    const none = await bot.send(f.users.stranger, '', '/逾期');
    expect(none).toContain('❌ 本群还没有绑定楼院或街道，请在楼院或街道工作群里发送');
    expect(none).toContain('用法：`/逾期`  `/逾期 2`');
    expect(await bot.send(f.users.stranger, f.groups.dongfang, '/逾期 第二页')).toContain('❌ 「页码」应为整数');
    expect(await bot.send(f.users.stranger, f.groups.dongfang, '/逾期 0')).toContain('❌ 「页码」不能小于 1');
    // In a 1:1 chat a cadre of one courtyard gets that courtyard's list.
    expect(plain(await bot.send(f.users.zhangsan, '', '/逾期'))[0]).toBe('**⏰ 东方花园 · 逾期事项** 共 2 项');
    expect(await recordCounts(bot)).toEqual(before);
  });
});
