import { processedMessageModel } from '../../src/db/models/processed-message';
import type { MessageHandler } from '../../src/wecom/message';
import { openTestDb, type TestDb } from '../helpers/db';
import { TEST_CREDS, buildCallback, createTestApp, postCallback, recordingOutbox, testConfig } from '../helpers/wecom';

/**
 * A process claims a group-robot message and dies; WeCom's retry reaches another process
 * while the dead one's lease still runs, and is acknowledged with an empty 200 (the answer
 * to follow by push). WeCom sends nothing more, so that process must run the message itself
 * once the lease runs out, or the acknowledged message would be lost.
 */
let db: TestDb;
beforeAll(async () => {
  db = await openTestDb();
});
afterAll(() => db.close());

it('an acknowledged message whose owner died is run once its lease expires, and its answer pushed', async () => {
  let t = Date.parse('2020-09-16T02:00:00Z');
  const now = () => new Date(t);
  const runs: string[] = [];
  const handle: MessageHandler = async (msg) => {
    runs.push(msg.msgId);
    return { markdown: `已记录：${msg.text}` };
  };
  const outbox = recordingOutbox();
  const cb = buildCallback(TEST_CREDS, { channel: 'bot', user: 'zhangsan', chat: 'wrG', text: '/进度 #1 80%', webhookUrl: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k' }, { timestamp: t / 1000 });
  await processedMessageModel(db.conn).create({ key: `bot:${cb.msgId}`, status: 'running', owner: 'a-process-that-died', leaseUntil: new Date(t + 30_000), createdAt: now() });
  const { app } = createTestApp({ conn: db.conn, handle, outbox, now, config: testConfig({ REPLY_BUDGET_MS: '100' }) });

  expect(await postCallback(app, cb)).toEqual({ status: 200, body: '' });
  expect(runs).toEqual([]);
  t += 31_000;
  for (let i = 0; i < 100 && outbox.requests.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
  expect(runs).toEqual([cb.msgId]);
  expect(outbox.requests).toMatchObject([{ target: { kind: 'webhook' }, payload: { content: '已记录：/进度 #1 80%' } }]);
  expect(await processedMessageModel(db.conn).findOne({ key: `bot:${cb.msgId}` }).lean()).toMatchObject({ status: 'done' });
});
