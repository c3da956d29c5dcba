import { outboxItemModel } from '../../src/db/models/outbox-item';
import { silentLogger } from '../../src/log';
import { startWebhookSink, type WebhookSink } from '../../src/sim/webhook-sink';
import { createWeComClient } from '../../src/wecom/client';
import { createOutbox, type Outbox } from '../../src/wecom/outbox';
import { createTestBot, type BasicFixture, type TestBot } from '../helpers/bot';

/**
 * One slow robot must not stall everyone's pushes (issue 12, finding 11): eight group robots
 * hang (their webhook never answers), and an unrelated group's /导出 file still arrives, while
 * all eight are still hanging. The real outbox loop (`start()`, as main.ts runs it) with the
 * production request timeout, WeCom played by the webhook sink.
 */
let bot: TestBot;
let fx: BasicFixture;
let sink: WebhookSink;
let outbox: Outbox;

async function until(condition: () => boolean | Promise<boolean>, what: string) {
  for (let i = 0; i < 2000; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  sink = await startWebhookSink();
  bot = await createTestBot({ env: { WECOM_API_BASE: sink.url }, forwardPushesTo: { enqueue: (req) => outbox.enqueue(req) } });
  fx = await bot.seed.basic();
  // The client's default timeout (10 s), as main.ts creates it.
  const client = createWeComClient({ apiBase: sink.url, corpId: 'wwcorp', log: silentLogger });
  outbox = createOutbox({ conn: bot.db.conn, client, log: silentLogger, pollMs: 100 });
});
afterAll(async () => {
  // Stopping the sink drops the hanging connections, so the outbox's sends end at once.
  await sink.stop();
  await outbox.stop();
  await bot.close();
});

it('eight hanging robots: another group’s /导出 file arrives while all eight are still waiting for an answer', async () => {
  const hanging = Array.from({ length: 8 }, (_, i) => `robot-hang-${i}`);
  for (const key of hanging) {
    sink.failNext(1, { timeout: true }, key);
    await outbox.enqueue({ dedupeKey: `weekly:${key}`, target: { kind: 'webhook', url: sink.webhookUrl(key) }, payload: { type: 'markdown', content: '本周排名' } });
  }
  outbox.start();
  await until(() => sink.holding === 8, 'all eight robots to be called');

  await bot.models.Group.updateOne({ chatId: fx.groups.jiyuan }, { $set: { webhookUrl: sink.webhookUrl('robot-export') } });
  expect(await bot.send(fx.users.admin, fx.groups.jiyuan, '/导出')).toContain('正在发送到本群');
  await until(() => sink.received.some((p) => p.key === 'robot-export' && p.msgtype === 'file'), 'the exported file');

  // Arrival order: the file came while every hanging request was still open, none retried yet.
  expect(sink.holding).toBe(8);
  const stuck = await outboxItemModel(bot.db.conn).find({ dedupeKey: { $in: hanging.map((k) => `weekly:${k}`) } }).lean();
  expect(stuck.map((i) => [i.status, i.attempts])).toEqual(hanging.map(() => ['sending', 0]));
  const file = sink.received.find((p) => p.key === 'robot-export')!.file!;
  expect(file.filename).toMatch(/\.xlsx$/);
  expect(file.data.subarray(0, 2).toString()).toBe('PK'); // an xlsx is a zip
});
