import bind from '../../commands/bind';
import help from '../../commands/help';
import push from '../../commands/push';
import { bj } from '../jobs/harness';
import { weekPeriod } from '../../src/services/period';
import { publishPeriod } from '../../src/services/snapshots';
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
    expect(reply).toContain('👀 **周排名** 预览（未发送，未发布）：共 3 条');
    expect(reply).toMatch(/grp-lead：排名（markdown [\d.]+ (字节|KB)）、图表（图片 PNG [\d.]+ KB）、进度表（文件 每周进度表_全区_2020-09-21\.xlsx [\d.]+ KB）/);
    expect(reply).toContain('> ## 每周排名 9月21日–27日');
    expect(bot.outbox.requests).toHaveLength(0);
    // A preview publishes nothing.
    expect(await bot.models.RankingSnapshot.countDocuments()).toBe(0);
  });

  it('queues the weekly ranking with the dedupe keys of a fire at this minute; a repeat queues nothing', async () => {
    const reply = await bot.send(f.users.admin, 'grp-lead', '/推送 周排名');
    expect(reply).toContain('✅ **周排名** 已加入发送队列：3 条');
    // Sent for real: the week is published, once.
    expect(await bot.models.RankingSnapshot.find().lean()).toMatchObject([{ kind: 'week', periodStart: bj('2020-09-21 00:00'), version: 1, previous: null, by: 'weekly-ranking' }]);
    const fire = bj('2020-09-28 10:00').toISOString();
    expect(keys()).toEqual([`job:weekly-ranking:${fire}:grp-lead:ranking`, `job:weekly-ranking:${fire}:grp-lead:chart`, `job:weekly-ranking:${fire}:grp-lead:table`]);
    expect(bot.outbox.requests[0]).toMatchObject({ target: { kind: 'webhook', url: LEAD_URL }, payload: { type: 'markdown' }, notBefore: bj('2020-09-28 10:00') });

    bot.advance(20_000);
    const again = await bot.send(f.users.admin, 'grp-lead', '/推送 周排名');
    expect(again).toContain('已加入发送队列：0 条');
    expect(again).toContain('其中 3 条这一分钟内已推送过，不重复发送');
    expect(bot.outbox.requests).toHaveLength(3);
    expect(await bot.models.RankingSnapshot.countDocuments()).toBe(1);
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
    expect(reply).toContain('「/推送」后面应为 周排名、逾期、下沉提醒、月度评分、事务公开、节假日数据提醒、重新发布 之一，收到「天气」');
    expect(await bot.send(f.users.admin, 'grp-lead', '/推送 周排名 马上')).toContain('要预览请写 --预览');
  });

  it('re-publishes a published week as a new version with its reason, keeping the old one readable', async () => {
    bot.setNow(bj('2020-09-29 11:00'));
    // Published by the week's push (earlier in this file), or here when run alone.
    await publishPeriod(bot.models, { period: weekPeriod(bot.now(), -1), now: bot.now(), by: 'weekly-ranking' });
    expect(await bot.send(f.users.admin, 'grp-lead', '/推送 重新发布 上周')).toContain('❌ 请写明重新发布的原因');
    expect(await bot.send(f.users.admin, 'grp-lead', '/推送 重新发布 上月 原因=测试')).toContain('的排名还没有发布，无需重新发布');
    // A late record: 张三's half day on Friday 09-25, logged only now.
    await bot.models.Visit.create({ cadre: f.cadres.zhangsan._id, courtyard: f.courtyards.dongfang._id, street: f.streets.jiyuan._id, date: bj('2020-09-25 00:00'), hours: 4, createdAt: bot.now() });
    const reply = await bot.send(f.users.admin, 'grp-lead', '/推送 重新发布 上周 原因=补录了张三的下沉记录');
    expect(reply).toContain('✅ 已重新发布 上周（9月21日–27日）排名：第2版');
    expect(reply).toContain('原因：补录了张三的下沉记录 · 第1版仍可查看：/排名 上周 第1版');
    const versions = await bot.models.RankingSnapshot.find().sort({ version: 1 }).lean();
    expect(versions.map((v) => [v.version, v.by, v.reason])).toEqual([
      [1, 'weekly-ranking', undefined],
      [2, 'admin', '补录了张三的下沉记录'],
    ]);
    const yard = (v: (typeof versions)[number]) => v.rows.find((r) => r.level === 'courtyard' && r.name === '东方花园')!;
    expect(yard(versions[1]!).parts.visits).toBe(100);
    expect(yard(versions[0]!).parts.visits).toBe(0);
    // Audited: who, when, which command.
    expect(await bot.models.AuditEntry.findOne({ modelName: 'RankingSnapshot', op: 'create' }).lean()).toMatchObject({ actor: 'admin', command: '/推送 重新发布 上周 原因=补录了张三的下沉记录' });
    // Published is final: a snapshot is never changed in place.
    await expect(bot.models.RankingSnapshot.updateOne({ version: 1 }, { $set: { label: 'x' } })).rejects.toThrow('a published ranking is never changed');
    // The next push of last week sends the corrected version.
    const pushed = await bot.send(f.users.admin, 'grp-lead', '/推送 周排名 --预览');
    expect(pushed).toContain('第2版（更正：补录了张三的下沉记录）');
  });

  it('re-publishes once when two admins correct the same week at the same moment', async () => {
    bot.setNow(bj('2020-09-29 11:30'));
    await publishPeriod(bot.models, { period: weekPeriod(bot.now(), -1), now: bot.now(), by: 'weekly-ranking' });
    const before = await bot.models.RankingSnapshot.countDocuments();
    const replies = await Promise.all([
      bot.send(f.users.admin, 'grp-lead', '/推送 重新发布 上周 原因=第一位'),
      bot.send(f.users.admin, 'grp-lead', '/推送 重新发布 上周 原因=第二位'),
    ]);
    expect(await bot.models.RankingSnapshot.countDocuments()).toBe(before + 1);
    expect(replies.filter((r) => r.includes('✅ 已重新发布'))).toHaveLength(1);
    expect(replies.filter((r) => r.includes('刚刚已有人重新发布了上周的排名'))).toHaveLength(1);
  });
});
