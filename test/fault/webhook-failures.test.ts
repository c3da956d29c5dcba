import { outboxItemModel } from '../../src/db/models/outbox-item';
import { silentLogger } from '../../src/log';
import { startWebhookSink, type WebhookSink } from '../../src/sim/webhook-sink';
import { createWeComClient } from '../../src/wecom/client';
import { createOutbox, type Outbox } from '../../src/wecom/outbox';
import { createTestBot, type BasicFixture, type TestBot } from '../helpers/bot';
import { groupModel } from '../../src/db/models/group';
import { markWebhookRetired } from '../../src/services/webhooks';

/**
 * A group's push robot fails in each way WeCom's can (path/99110): HTTP 500, no answer,
 * 45009 rate limited, 93000 invalid webhook. The real outbox on the bot's database, WeCom
 * played by the webhook sink, both on the test's fake clock; the admin looks with /查询.
 */
let bot: TestBot;
let fx: BasicFixture;
let sink: WebhookSink;
let outbox: Outbox;
const MAX_ATTEMPTS = 4;

beforeAll(async () => {
  sink = await startWebhookSink({ now: () => bot.now() });
  bot = await createTestBot({ apiBase: sink.url });
  fx = await bot.seed.basic();
  const client = createWeComClient({ apiBase: sink.url, corpId: 'wwcorp', log: silentLogger, now: bot.now, timeoutMs: 300 });
  outbox = createOutbox({ conn: bot.db.conn, client, log: silentLogger, now: bot.now, random: () => 0.5, maxAttempts: MAX_ATTEMPTS, onWebhookRetired: (url, key, at) => markWebhookRetired({ Group: groupModel(bot.db.conn) }, url, key, at) });
});
afterAll(async () => {
  await outbox.stop();
  await sink.stop();
  await bot.close();
});

const Item = () => outboxItemModel(bot.db.conn);
/** What the robot got through the outbox (not the test message /绑定 sends at once). */
const received = (key: string) =>
  sink.received.filter((p) => p.key === key).map((p) => p.body.markdown?.content).filter((c) => !String(c).startsWith('✅ 楼院通：本群已绑定为'));
let pushNo = 0;
const pushTo = (key: string, content: string) =>
  outbox.enqueue({ dedupeKey: `weekly:${++pushNo}`, target: { kind: 'webhook', url: sink.webhookUrl(key) }, payload: { type: 'markdown', content } });

/** Steps the clock `step` ms at a time, running the outbox, for `ms` of simulated time. */
async function runFor(ms: number, step = 1000) {
  for (const end = bot.now().getTime() + ms; bot.now().getTime() < end; bot.advance(step)) await outbox.runDue();
}

it('retries 500, a timeout and 45009 with growing waits, delivers once, and gives up after maxAttempts', async () => {
  expect(await bot.send(fx.users.admin, fx.groups.dongfang, `/绑定 楼院 东方花园 webhook=${sink.webhookUrl('robot-df')}`)).toContain('推送地址：已记录');

  sink.failNext(1, { status: 500 }, 'robot-df');
  sink.failNext(1, { timeout: true }, 'robot-df');
  sink.failNext(1, { errcode: 45009, errmsg: 'api freq out of limit' }, 'robot-df');
  await pushTo('robot-df', '本周排名');
  const attemptsAt = async () => (await Item().findOne({ dedupeKey: `weekly:${pushNo}` }).lean())!;

  // Each failure sets the next try later than the one before (5 s base, doubling, jittered);
  // nothing is sent before it; 45009 makes the robot rest a whole pace window (61 s).
  const waits: number[] = [];
  for (let attempt = 1; attempt <= 3; attempt++) {
    await outbox.runDue();
    const item = await attemptsAt();
    expect(item.attempts).toBe(attempt);
    const wait = item.nextAttemptAt.getTime() - bot.now().getTime();
    waits.push(wait);
    await runFor(wait - 1000);
    expect((await attemptsAt()).attempts).toBe(attempt);
    expect(received('robot-df')).toEqual([]);
    while (bot.now() < item.nextAttemptAt) bot.advance(1000);
  }
  expect(waits[0]).toBeGreaterThanOrEqual(2500);
  expect(waits[1]).toBeGreaterThan(waits[0]!);
  expect(waits[2]).toBeGreaterThanOrEqual(61_000);
  await outbox.runDue();
  expect(received('robot-df')).toEqual(['本周排名']);
  expect(await attemptsAt()).toMatchObject({ status: 'sent' });
  await runFor(10 * 60_000, 30_000);
  expect(received('robot-df')).toEqual(['本周排名']);

  // WeCom down for good: the push dies after MAX_ATTEMPTS tries; the robot itself stays valid.
  sink.failNext(MAX_ATTEMPTS, { status: 500 }, 'robot-df');
  await pushTo('robot-df', '逾期提醒');
  for (let tries = 0; tries < 10 && (await attemptsAt()).status !== 'dead'; tries++) {
    await outbox.runDue();
    const next = (await attemptsAt()).nextAttemptAt;
    while (bot.now() < next) bot.advance(1000);
  }
  expect(await attemptsAt()).toMatchObject({ status: 'dead', attempts: MAX_ATTEMPTS });
  expect((await bot.models.Group.findOne({ chatId: fx.groups.dongfang }).lean())!.webhookInvalidAt).toBeUndefined();
});

it('on 93000 stops at once: every open push to the robot dies, the group is flagged, the admin sees it in /查询, a new webhook works', async () => {
  sink.invalidate('robot-df');
  for (const text of ['周报一', '周报二', '周报三']) await pushTo('robot-df', text);
  const refusedBefore = sink.rejected.length;
  await runFor(5_000);
  expect(sink.rejected.length - refusedBefore).toBe(1); // one refusal, then no further calls
  expect(await Item().countDocuments({ status: 'dead', lastError: /93000/ })).toBe(3);
  const group = await bot.models.Group.findOne({ chatId: fx.groups.dongfang }).lean();
  expect(group!.webhookInvalidAt).toEqual(expect.any(Date));
  await pushTo('robot-df', '周报四');
  await runFor(60 * 60_000, 60_000);
  expect(sink.rejected.length - refusedBefore).toBe(2); // a new push tries once more, then dies at once
  expect(await Item().countDocuments({ status: { $in: ['pending', 'sending'] } })).toBe(0);

  const adminCard = await bot.send(fx.users.admin, fx.groups.dongfang, '/查询');
  expect(adminCard).toContain('推送地址已失效');
  expect(adminCard).toContain('推送发送失败已放弃');
  expect(adminCard).not.toContain('robot-df'); // the key is a secret
  expect(await bot.send(fx.users.zhangsan, fx.groups.dongfang, '/查询')).not.toContain('推送异常');

  expect(await bot.send(fx.users.admin, fx.groups.dongfang, `/绑定 楼院 东方花园 webhook=${sink.webhookUrl('robot-df2')}`)).toContain('推送地址：已记录');
  expect((await bot.models.Group.findOne({ chatId: fx.groups.dongfang }).lean())!.webhookInvalidAt).toBeUndefined();
  await pushTo('robot-df2', '新地址的周报');
  await runFor(5_000);
  expect(received('robot-df2')).toEqual(['新地址的周报']);
});
