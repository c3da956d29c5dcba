import { Writable } from 'node:stream';
import type { Connection } from 'mongoose';
import pino from 'pino';
import { connectMongoose } from '../../../src/db/connect';
import { groupModel } from '../../../src/db/models/group';
import { outboxItemModel } from '../../../src/db/models/outbox-item';
import { silentLogger, type Logger } from '../../../src/log';
import { startWebhookSink, type WebhookSink } from '../../../src/sim/webhook-sink';
import { createWeComClient, type WeComClient } from '../../../src/wecom/client';
import { createOutbox, listDeadPushes, type Outbox, type OutboxDeps, type PushRequest } from '../../../src/wecom/outbox';
import { utf8Bytes } from '../../../src/text/split';
import { openTestDb } from '../../helpers/db';
import { markWebhookRetired } from '../../../src/services/webhooks';

const START = Date.parse('2030-01-07T01:00:00Z');
let t = START;
const now = () => new Date(t);

let db: Awaited<ReturnType<typeof openTestDb>>;
let conn: Connection;
let sink: WebhookSink;
const extraConns: Connection[] = [];
const outboxes: Outbox[] = [];

/** Another, independent connection to the same database (as a second process would have). */
async function secondConnection(): Promise<Connection> {
  const c = await connectMongoose(db.uri, db.dbName);
  extraConns.push(c);
  return c;
}

function client(over: Partial<Parameters<typeof createWeComClient>[0]> = {}): WeComClient {
  return createWeComClient({ apiBase: sink.url, corpId: 'wwcorp', corpSecret: 'secret-0123456789', agentId: '1000002', log: silentLogger, now, timeoutMs: 300, ...over });
}

function outbox(over: Partial<OutboxDeps> = {}): Outbox {
  const o = createOutbox({ conn, client: client(), log: silentLogger, now, random: () => 0.5, onWebhookRetired: (url, key, at) => markWebhookRetired({ Group: groupModel(conn) }, url, key, at), ...over });
  outboxes.push(o);
  return o;
}

/** Runs the outboxes, a second of simulated time per round, until `done`; returns the simulated time it took. */
async function runUntil(done: () => boolean | Promise<boolean>, ...running: Outbox[]): Promise<number> {
  const start = t;
  while (!(await done())) {
    if (t - start > 60 * 60_000) throw new Error('not done within an hour of simulated time');
    await Promise.all(running.map((o) => o.runDue()));
    if (!(await done())) t += 1000;
  }
  return t - start;
}

const texts = (key: string) => sink.received.filter((p) => p.key === key).map((p) => p.body.text?.content ?? p.body.markdown?.content ?? '');
const pushes = (key: string, n: number, from = 0): PushRequest[] =>
  Array.from({ length: n }, (_, i) => ({
    dedupeKey: `${key}:${String(from + i).padStart(3, '0')}`,
    target: { kind: 'webhook', url: sink.webhookUrl(key) },
    payload: { type: 'text', content: `第${from + i + 1}条` },
  }));
const expected = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `第${from + i + 1}条`);
const rateLimited = () => sink.rejected.filter((r) => r.errcode === 45009);

beforeAll(async () => {
  db = await openTestDb();
  conn = db.conn;
});
afterAll(() => db.close());

beforeEach(async () => {
  t = START;
  sink = await startWebhookSink({ now, perMinute: 20 });
  await conn.dropDatabase();
});

afterEach(async () => {
  await Promise.all(outboxes.splice(0).map((o) => o.stop()));
  await sink.stop();
  await Promise.all(extraConns.splice(0).map((c) => c.close()));
});

describe('outbox pacing and delivery', () => {
  it('delivers 100 pushes to one robot exactly once, in order, in about 5 simulated minutes, never hitting 45009', async () => {
    const o = outbox();
    await o.enqueueMany(pushes('robot-a', 100));
    const took = await runUntil(() => sink.received.length >= 100, o);
    expect(texts('robot-a')).toEqual(expected(100));
    expect(rateLimited()).toHaveLength(0);
    // 20 a minute: the last 20 cannot start before minute 4, and nothing should wait much longer.
    expect(took).toBeGreaterThanOrEqual(4 * 60_000);
    expect(took).toBeLessThanOrEqual(6 * 60_000);
    expect(await outboxItemModel(conn).countDocuments({ status: 'sent' })).toBe(100);
  });

  it('still delivers each push once and in order when the first tries fail with 500, a timeout and 45009', async () => {
    sink.failNext(1, { status: 500 });
    sink.failNext(1, { timeout: true });
    sink.failNext(1, { errcode: 45009, errmsg: 'api freq out of limit' });
    sink.failNext(2, { errcode: -1, errmsg: 'system busy' }, 'robot-a');
    const o = outbox();
    await o.enqueueMany(pushes('robot-a', 40));
    await runUntil(() => sink.received.length >= 40, o);
    expect(texts('robot-a')).toEqual(expected(40));
    const items = await outboxItemModel(conn).find().lean();
    expect(items.every((i) => i.status === 'sent')).toBe(true);
  });

  it('survives a crash in the middle: a new process on a new connection takes over once the lease expires', async () => {
    const first = outbox({ leaseMs: 30_000 });
    await first.enqueueMany(pushes('robot-a', 100));
    await runUntil(() => sink.received.length >= 40, first);
    await first.stop();
    t += 61_000; // a fresh minute of quota

    // A process that claims the lane and a push, then hangs in the network call (until unblocked).
    let unblock!: () => void;
    const real = client();
    let calls = 0;
    const hanging: WeComClient = {
      ...real,
      sendWebhook: (url, message) => (calls++ === 0 ? new Promise<void>((resolve) => (unblock = resolve)) : real.sendWebhook(url, message)),
    };
    const crashed = createOutbox({ conn, client: hanging, log: silentLogger, now, leaseMs: 30_000 });
    const crashedRun = crashed.runDue();
    while ((await outboxItemModel(conn).countDocuments({ status: 'sending' })) !== 1) await new Promise((r) => setTimeout(r, 5));

    const restarted = outbox({ conn: await secondConnection(), leaseMs: 30_000 });
    await restarted.runDue();
    expect(sink.received).toHaveLength(40); // the lane is still leased to the hung process
    await runUntil(() => sink.received.length >= 60, restarted);

    // The hung call finally returns: that process has lost the lane and must stop, not send on.
    unblock();
    expect(await crashedRun).toEqual({ sent: 0, retried: 0, dead: 0 });
    await runUntil(() => sink.received.length >= 100, restarted);
    expect(texts('robot-a')).toEqual(expected(100));
    expect(await outboxItemModel(conn).countDocuments({ status: 'sent' })).toBe(100);
    expect(rateLimited()).toHaveLength(0);
  });

  it('two processes sending together deliver each push once and keep every robot under its limit', async () => {
    const a = outbox();
    const b = outbox({ conn: await secondConnection() });
    await a.enqueueMany([...pushes('robot-a', 45), ...pushes('robot-b', 45)]);
    await b.enqueueMany(pushes('robot-c', 45));
    await runUntil(() => sink.received.length >= 135, a, b);
    for (const key of ['robot-a', 'robot-b', 'robot-c']) expect(texts(key)).toEqual(expected(45));
    expect(rateLimited()).toHaveLength(0);
  });

  it('does not send a push before its notBefore, and enqueues a dedupe key only once', async () => {
    const o = outbox();
    const req: PushRequest = {
      dedupeKey: 'weekly-ranking:2030-01-07T01:00Z:chat-1:1',
      target: { kind: 'webhook', url: sink.webhookUrl('robot-a') },
      payload: { type: 'markdown', content: '**本周排名**' },
      notBefore: new Date(START + 3600_000),
    };
    expect(await o.enqueue(req)).toBe('queued');
    expect(await o.enqueue({ ...req, payload: { type: 'markdown', content: '第二次' } })).toBe('duplicate');
    await o.runDue();
    expect(sink.received).toHaveLength(0);
    t = START + 3600_000;
    await o.runDue();
    await o.runDue();
    expect(texts('robot-a')).toEqual(['**本周排名**']);
  });
});

describe('splitting', () => {
  it('sends 10 KB of Chinese markdown as several pushes of at most 4,096 bytes that join to the original', async () => {
    const lines = Array.from({ length: 120 }, (_, i) => `${i + 1}. 东方花园 ${i % 9}号楼 楼道灯已更换，路面硬化完成 80%，居民满意。`);
    const content = lines.join('\n');
    expect(utf8Bytes(content)).toBeGreaterThan(10_000);
    const o = outbox();
    await o.enqueue({ dedupeKey: 'long', target: { kind: 'webhook', url: sink.webhookUrl('robot-a') }, payload: { type: 'markdown', content, mentions: ['zhangsan'] } });
    await runUntil(async () => (await outboxItemModel(conn).countDocuments({ status: 'sent' })) === 1, o);
    const parts = texts('robot-a');
    expect(parts.length).toBeGreaterThanOrEqual(3);
    for (const p of parts) expect(utf8Bytes(p)).toBeLessThanOrEqual(4096);
    expect(parts.join('')).toBe(`${content}\n<@zhangsan>`);
  });

  it('cuts a long answer to a response_url (usable once) and delivers app messages in parts of 2,048 bytes', async () => {
    const o = outbox();
    const long = Array.from({ length: 400 }, (_, i) => `第${i + 1}行：进度正常`).join('\n');
    await o.enqueue({ dedupeKey: 'reply:1', target: { kind: 'response_url', url: sink.responseUrl('code-1') }, payload: { type: 'markdown', content: long } });
    await o.enqueue({ dedupeKey: 'app:1', target: { kind: 'app', toUser: 'zhangsan' }, payload: { type: 'text', content: long } });
    await runUntil(async () => (await outboxItemModel(conn).countDocuments({ status: 'sent' })) === 2, o);
    const answer = sink.received.filter((p) => p.channel === 'response_url');
    expect(answer).toHaveLength(1);
    expect(utf8Bytes(answer[0]!.body.markdown?.content ?? '')).toBeLessThanOrEqual(4096);
    expect(answer[0]!.body.markdown?.content).toMatch(/内容过长，已截断）$/);
    const appParts = sink.received.filter((p) => p.channel === 'app').map((p) => p.body.text?.content ?? '');
    expect(appParts.length).toBeGreaterThan(1);
    expect(appParts.join('')).toBe(long);
  });
});

describe('giving up', () => {
  it('on 93000 drops every pending push to that robot at once, marks its group, and keeps the key out of logs and admin views', async () => {
    const key = 'c8a1f3e2-55aa-4b1e-9d0f-removedrobot';
    const url = sink.webhookUrl(key);
    await groupModel(conn).create({ chatId: 'wrkSFfCgAAx', name: '东方花园工作群', webhookUrl: url });
    const lines: string[] = [];
    const log: Logger = pino({ level: 'trace' }, new Writable({ write: (c, _e, done) => (lines.push(String(c)), done()) }));
    const o = outbox({ log, client: client({ log }) });
    const doomed = pushes(key, 5).map((p, i) => ({ ...p, dedupeKey: `alert:${i}` }));
    await o.enqueueMany([...doomed, ...pushes('robot-b', 2)]);
    sink.invalidate(key);

    const counts = await o.runDue();

    expect(counts.dead).toBe(5);
    expect(texts('robot-b')).toEqual(expected(2));
    const dead = await listDeadPushes(conn, { webhookUrl: url });
    expect(dead.map((d) => d.dedupeKey).sort()).toEqual(doomed.map((p) => p.dedupeKey));
    expect(dead[0]!.lastError).toMatch(/93000/);
    const group = await groupModel(conn).findOne({ chatId: 'wrkSFfCgAAx' }).lean();
    expect(group?.webhookInvalidAt).toEqual(now());
    expect(lines.join('')).toMatch(/绑定/);
    expect(JSON.stringify(dead) + lines.join('')).not.toContain(key);
  });

  it('marks a push dead after maxAttempts, with its last error, and then sends the pushes behind it', async () => {
    sink.failNext(3, { status: 500 }, 'robot-a');
    const o = outbox({ maxAttempts: 3 });
    await o.enqueueMany(pushes('robot-a', 2));
    await runUntil(() => sink.received.length >= 1, o);
    expect(texts('robot-a')).toEqual(['第2条']);
    const [dead] = await listDeadPushes(conn);
    expect(dead).toMatchObject({ dedupeKey: 'robot-a:000', attempts: 3, lastError: expect.stringMatching(/HTTP 500/) });
  });

  it('does not retry what WeCom refuses for good (a bad message), and goes on with the next', async () => {
    const o = outbox();
    await o.enqueue({ dedupeKey: 'bad', target: { kind: 'webhook', url: sink.webhookUrl('robot-a') }, payload: { type: 'file', filename: 'x.txt', data: Buffer.from('hello') } });
    await o.enqueueMany(pushes('robot-a', 1));
    sink.failNext(1, { errcode: 40058, errmsg: 'invalid Request Parameter' }, 'robot-a');
    const counts = await o.runDue();
    expect(counts).toEqual({ sent: 1, retried: 0, dead: 1 });
    expect(texts('robot-a')).toEqual(['第1条']);
  });
});
