import bind from '../../commands/bind';
import help from '../../commands/help';
import push from '../../commands/push';
import { bj } from '../jobs/harness';
import { createTestBot, type BasicFixture, type TestBot } from '../helpers/bot';

let bot: TestBot;
let f: BasicFixture;
const LEAD_URL = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=lead-robot-0001';
const YARD_URL = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=yard-robot-0001';

beforeAll(async () => {
  bot = await createTestBot({ now: bj('2020-09-28 10:00'), commands: [help, bind, push] });
  f = await bot.seed.basic();
  await bot.seed.group('grp-lead', 'district', { purpose: 'leadership', webhookUrl: LEAD_URL });
  await bot.models.Group.updateOne({ chatId: f.groups.dongfang }, { $set: { webhookUrl: YARD_URL } });
  await bot.models.Project.create({
    no: 12,
    courtyard: f.courtyards.dongfang._id,
    street: f.streets.jiyuan._id,
    category: '工程',
    title: '楼道照明',
    owner: f.cadres.zhangsan._id,
    deadline: bj('2020-09-18 00:00'),
    percent: 50,
    createdAt: bj('2020-09-01 09:00'),
  });
});
afterAll(() => bot.close());

const keys = () => bot.outbox.requests.map((r) => r.dedupeKey);

describe('/推送', () => {
  it('previews a job without sending anything', async () => {
    const reply = await bot.send(f.users.admin, 'grp-lead', '/推送 周排名 --预览');
    expect(reply).toContain('👀 **周排名** 预览（未发送）：共 3 条');
    expect(reply).toMatch(/grp-lead：排名（markdown [\d.]+ (字节|KB)）、图表（图片 PNG [\d.]+ KB）、进度表（文件 每周进度表_全区_2020-09-21\.xlsx [\d.]+ KB）/);
    expect(reply).toContain('> ## 每周排名 2020年9月21日–9月27日');
    expect(bot.outbox.requests).toHaveLength(0);
  });

  it('queues the weekly ranking with the dedupe keys of a fire at this minute; a repeat queues nothing', async () => {
    const reply = await bot.send(f.users.admin, 'grp-lead', '/推送 周排名');
    expect(reply).toContain('✅ **周排名** 已加入发送队列：3 条');
    const fire = bj('2020-09-28 10:00').toISOString();
    expect(keys()).toEqual([`job:weekly-ranking:${fire}:grp-lead:ranking`, `job:weekly-ranking:${fire}:grp-lead:chart`, `job:weekly-ranking:${fire}:grp-lead:table`]);
    expect(bot.outbox.requests[0]).toMatchObject({ target: { kind: 'webhook', url: LEAD_URL }, payload: { type: 'markdown' }, notBefore: bj('2020-09-28 10:00') });

    bot.advance(20_000);
    const again = await bot.send(f.users.admin, 'grp-lead', '/推送 周排名');
    expect(again).toContain('已加入发送队列：0 条');
    expect(again).toContain('其中 3 条这一分钟内已推送过，不重复发送');
    expect(bot.outbox.requests).toHaveLength(3);
  });

  it('alerts overdue items with @mentions, at most once a day', async () => {
    bot.setNow(bj('2020-09-28 10:30'));
    expect(await bot.send(f.users.admin, 'grp-lead', '/push 逾期')).toContain('✅ **逾期** 已加入发送队列：1 条');
    const alert = bot.outbox.requests.at(-1)!;
    expect(alert).toMatchObject({ target: { url: YARD_URL }, payload: { type: 'markdown', mentions: ['zhangsan'] } });
    expect(alert.payload.type === 'markdown' && alert.payload.content).toContain('1. 项目逾期 #12 楼道照明 · 逾期10天 · 张三');

    bot.setNow(bj('2020-09-28 15:00'));
    expect(await bot.send(f.users.admin, 'grp-lead', '/推送 逾期提醒')).toContain('现在没有要推送的内容');
  });

  it('holds what is asked for at night until the next working morning', async () => {
    bot.setNow(bj('2020-09-30 22:10'));
    const reply = await bot.send(f.users.admin, 'grp-lead', '/推送 周排名');
    // 10-01…10-08 are National Day holidays.
    expect(reply).toContain('将于 10月9日 08:00 发出');
    expect(bot.outbox.requests.at(-1)!.notBefore).toEqual(bj('2020-10-09 08:00'));
  });

  it('is for district admins, in a leadership group', async () => {
    bot.setNow(bj('2020-09-29 10:00'));
    const before = bot.outbox.requests.length;
    expect(await bot.send(f.users.zhangsan, 'grp-lead', '/推送 周排名')).toContain('🚫');
    expect(await bot.send(f.users.jyAdmin, 'grp-lead', '/推送 周排名')).toContain('🚫');
    expect(await bot.send(f.users.admin, f.groups.dongfang, '/推送 周排名')).toContain('请在领导群里发送 /推送');
    expect(bot.outbox.requests).toHaveLength(before);
  });

  it('says which pushes there are when the name is wrong', async () => {
    const reply = await bot.send(f.users.admin, 'grp-lead', '/推送 天气');
    expect(reply).toContain('「推送内容」应为 周排名、逾期、下沉提醒、月度评分、节假日数据提醒 之一');
    expect(await bot.send(f.users.admin, 'grp-lead', '/推送 周排名 马上')).toContain('要预览请写 --预览');
  });
});
