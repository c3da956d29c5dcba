import type { Connection } from 'mongoose';
import { processedMessageModel } from '../../../src/db/models/processed-message';
import type { Channel, MessageHandler } from '../../../src/wecom/message';
import { useTwoConnections } from '../../helpers/db';
import { TEST_CREDS, buildCallback, createTestApp, decodeReply, postCallback, testConfig, type SignedCallback } from '../../helpers/wecom';

const NOW = new Date('2020-09-28T01:00:00Z');
const ts = NOW.getTime() / 1000;

const dbs = useTwoConnections();

/** A handler that counts its runs and answers after a short pause (well within the budget). */
function countingHandler() {
  let runs = 0;
  const handle: MessageHandler = async (msg) => {
    runs++;
    await new Promise((resolve) => setTimeout(resolve, 50));
    return { markdown: `第 ${runs} 次处理：${msg.text}` };
  };
  return { handle, runs: () => runs };
}

const appOn = (conn: Connection, handle: MessageHandler, now = () => NOW) => createTestApp({ conn, handle, now }).app;

async function replyTexts(channel: Channel, responses: Array<{ status: number; body: string }>) {
  return responses.map((r) => (r.status === 200 ? decodeReply(TEST_CREDS, channel, r.body).text : `HTTP ${r.status}`));
}

describe.each<Channel>(['aibot', 'bot', 'app'])('the same msgId delivered three times (%s)', (channel) => {
  const callback = (): SignedCallback =>
    buildCallback(TEST_CREDS, { channel, user: 'zhangsan', chat: channel === 'app' ? undefined : 'wrG', text: '/进度 #1 80%' }, { timestamp: ts });
  const redeliver = (cb: SignedCallback) => buildCallback(TEST_CREDS, { channel, user: 'zhangsan', chat: channel === 'app' ? undefined : 'wrG', text: '/进度 #1 80%', msgId: cb.msgId }, { timestamp: ts });

  it('concurrently: one run, three identical replies', async () => {
    const counter = countingHandler();
    const app = appOn(dbs.db.conn, counter.handle);
    const first = callback();
    const responses = await Promise.all([first, redeliver(first), redeliver(first)].map((cb) => postCallback(app, cb)));
    expect(counter.runs()).toBe(1);
    expect(await replyTexts(channel, responses)).toEqual(Array(3).fill('第 1 次处理：/进度 #1 80%'));
  });

  it('in sequence, the retries an hour later: one run, three identical replies', async () => {
    const counter = countingHandler();
    let now = NOW;
    const app = appOn(dbs.db.conn, counter.handle, () => now);
    const first = callback();
    const responses = [await postCallback(app, first)];
    now = new Date(NOW.getTime() + 3600_000);
    for (let i = 0; i < 2; i++) {
      const retry = buildCallback(TEST_CREDS, { channel, user: 'zhangsan', chat: channel === 'app' ? undefined : 'wrG', text: '/进度 #1 80%', msgId: first.msgId }, { timestamp: now.getTime() / 1000 });
      responses.push(await postCallback(app, retry));
    }
    expect(counter.runs()).toBe(1);
    expect(await replyTexts(channel, responses)).toEqual(Array(3).fill('第 1 次处理：/进度 #1 80%'));
  });

  it('across two app instances on two connections to one database: still one run', async () => {
    const counter = countingHandler();
    const apps = [appOn(dbs.db.conn, counter.handle), appOn(dbs.second, counter.handle), appOn(dbs.second, counter.handle)];
    const first = callback();
    const responses = await Promise.all(apps.map((app, i) => postCallback(app, i === 0 ? first : redeliver(first))));
    expect(counter.runs()).toBe(1);
    expect(await replyTexts(channel, responses)).toEqual(Array(3).fill('第 1 次处理：/进度 #1 80%'));
  });
});

describe('a claim left behind by a process that died', () => {
  it('is taken over by a retry once its lease has expired, and answered', async () => {
    const counter = countingHandler();
    const cb = buildCallback(TEST_CREDS, { user: 'zhangsan', chat: 'wrG', text: '/查询' }, { timestamp: ts });
    await processedMessageModel(dbs.db.conn).create({
      key: `aibot:${cb.msgId}`,
      status: 'running',
      owner: 'a-process-that-died',
      leaseUntil: new Date(NOW.getTime() - 1000),
      createdAt: new Date(NOW.getTime() - 31_000),
    });
    const res = await postCallback(appOn(dbs.second, counter.handle), cb);
    expect(counter.runs()).toBe(1);
    expect(decodeReply(TEST_CREDS, 'aibot', res.body).text).toBe('第 1 次处理：/查询');
  });

  it('is left alone while its lease runs: the retry is acknowledged and the handler not run again', async () => {
    const counter = countingHandler();
    const cb = buildCallback(TEST_CREDS, { channel: 'bot', user: 'zhangsan', chat: 'wrG', text: '/查询' }, { timestamp: ts });
    await processedMessageModel(dbs.db.conn).create({
      key: `bot:${cb.msgId}`,
      status: 'running',
      owner: 'a-busy-process',
      leaseUntil: new Date(NOW.getTime() + 30_000),
      createdAt: NOW,
    });
    const { app } = createTestApp({ conn: dbs.second, handle: counter.handle, now: () => NOW, config: testConfig({ REPLY_BUDGET_MS: '100' }) });
    const res = await postCallback(app, cb);
    expect(counter.runs()).toBe(0);
    expect(res).toEqual({ status: 200, body: '' });
  });
});
