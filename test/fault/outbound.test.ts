import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { outboxItemModel } from '../../src/db/models/outbox-item';
import { OutboundRefusedError } from '../../src/errors';
import { createLogger, silentLogger } from '../../src/log';
import { startWebhookSink, type WebhookSink } from '../../src/sim/webhook-sink';
import { createWeComClient } from '../../src/wecom/client';
import type { MessageHandler } from '../../src/wecom/message';
import { isWeComApiUrl } from '../../src/wecom/origin';
import { createOutbox } from '../../src/wecom/outbox';
import { createTestBot, type BasicFixture, type TestBot } from '../helpers/bot';
import { openTestDb, type TestDb } from '../helpers/db';
import { TEST_CREDS, buildCallback, createTestApp, decodeReply, postCallback, recordingOutbox, testConfig } from '../helpers/wecom';
import { groupModel } from '../../src/db/models/group';
import { markWebhookRetired } from '../../src/services/webhooks';

/**
 * Outbound requests go to WeCom's API origin only (issue 12, finding 3). WeCom is played by
 * the webhook sink (WECOM_API_BASE); the "foreign host" is a listener of our own on
 * 127.0.0.1 that records whatever reaches it — it must never record anything.
 */

interface Recorded {
  method: string;
  url: string;
  body: string;
}

/** A local HTTP server that records every request; `answer` decides the response (default 200 `{"errcode":0}`). */
async function listener(answer?: (req: IncomingMessage, res: import('node:http').ServerResponse) => void) {
  const requests: Recorded[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('latin1')));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', body });
      if (answer) return answer(req, res);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"errcode":0,"errmsg":"ok","media_id":"m1"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, requests, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A pino logger whose lines the test can read. */
function capturedLog() {
  const lines: string[] = [];
  const log = createLogger(
    'info',
    new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  );
  return { log, lines };
}

async function until(condition: () => boolean | Promise<boolean>, what: string) {
  for (let i = 0; i < 2000; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

let sink: WebhookSink;
let foreign: Awaited<ReturnType<typeof listener>>;
beforeAll(async () => {
  sink = await startWebhookSink();
  foreign = await listener();
});
afterAll(async () => {
  await sink.stop();
  await foreign.stop();
});
beforeEach(() => {
  foreign.requests.length = 0;
});

describe('isWeComApiUrl, the check every entry point uses', () => {
  it('accepts the configured origin only: scheme, host and port, no user info', () => {
    const base = 'https://qyapi.weixin.qq.com';
    expect(isWeComApiUrl('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K', base)).toBe(true);
    expect(isWeComApiUrl('https://QYAPI.weixin.qq.com:443/cgi-bin/webhook/send?key=K', base)).toBe(true);
    for (const url of [
      'http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K',
      'https://qyapi.weixin.qq.com.evil.example/cgi-bin/webhook/send?key=K',
      'https://qyapi.weixin.qq.com@127.0.0.1/cgi-bin/webhook/send?key=K',
      'https://user:pw@qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K',
      'https://qyapi.weixin.qq.com:8443/cgi-bin/webhook/send?key=K',
      `${foreign.url}/cgi-bin/webhook/send?key=K`,
      'file:///etc/passwd',
      'K',
      '',
    ]) {
      expect([url, isWeComApiUrl(url, base)]).toEqual([url, false]);
    }
    expect(isWeComApiUrl(sink.webhookUrl('K'), sink.url)).toBe(true);
  });
});

describe('the client', () => {
  const client = (apiBase = sink.url) => createWeComClient({ apiBase, corpId: 'wwcorp', corpSecret: 'secret', agentId: '1000002', log: silentLogger, timeoutMs: 2000 });

  it('sends nothing to another origin: webhook send and upload_media, response_url — refused before any connection', async () => {
    const hook = `${foreign.url}/cgi-bin/webhook/send?key=K`;
    const sneaky = `http://${new URL(sink.url).host}@${new URL(foreign.url).host}/cgi-bin/webhook/send?key=K`;
    const attempts = [
      client().sendWebhook(hook, { type: 'text', content: '周报' }),
      client().sendWebhook(hook, { type: 'file', filename: '推进表.xlsx', data: Buffer.from('spreadsheet') }),
      client().sendWebhook(sneaky, { type: 'markdown', content: '周报' }),
      client().postResponseUrl(`${foreign.url}/internal/anything?response_code=C`, { type: 'markdown', content: '答复' }),
    ];
    for (const attempt of attempts) {
      await expect(attempt).rejects.toBeInstanceOf(OutboundRefusedError);
      await expect(attempt).rejects.toMatchObject({ why: 'origin', message: expect.stringContaining(`not WeCom's API origin ${sink.url}`) });
    }
    expect(foreign.requests).toEqual([]);
    expect(sink.received).toEqual([]);
  });

  it('never follows a redirect: the JSON send and the file upload stop at the 3xx, and the target hears nothing', async () => {
    const redirecting = await listener((_req, res) => {
      res.writeHead(307, { location: `${foreign.url}/internal/anything` });
      res.end();
    });
    try {
      for (const message of [{ type: 'markdown', content: '周报' } as const, { type: 'file', filename: 'a.xlsx', data: Buffer.from('spreadsheet') } as const]) {
        const sending = client(redirecting.url).sendWebhook('K', message);
        await expect(sending).rejects.toBeInstanceOf(OutboundRefusedError);
        await expect(sending).rejects.toMatchObject({ why: 'redirect', message: expect.stringContaining(`HTTP 307 redirecting to ${foreign.url}; redirects are never followed`) });
      }
      expect(redirecting.requests.map((r) => new URL(r.url, 'http://x').pathname)).toEqual(['/cgi-bin/webhook/send', '/cgi-bin/webhook/upload_media']);
      expect(foreign.requests).toEqual([]);
    } finally {
      await redirecting.stop();
    }
  });
});

describe('the outbox', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await openTestDb();
  });
  afterAll(() => db.close());

  it('a file push answered with a redirect dies at once with a clear reason; the next file push from the same process arrives intact', async () => {
    const redirecting = await listener((_req, res) => {
      res.writeHead(302, { location: `${foreign.url}/upload` });
      res.end();
    });
    try {
      // Both "WeCom"s are the API origin of their own client; the outbox is one per process, as in main.ts.
      const bad = createOutbox({ conn: db.conn, client: createWeComClient({ apiBase: redirecting.url, corpId: 'wwcorp', log: silentLogger }), log: silentLogger, onWebhookRetired: (url, key, at) => markWebhookRetired({ Group: groupModel(db.conn) }, url, key, at) });
      const data = Buffer.from('楼院,进度\n东方花园,80%\n');
      await bad.enqueue({ dedupeKey: 'export:redirected', target: { kind: 'webhook', url: 'robot-a' }, payload: { type: 'file', filename: '推进表.csv', data } });
      expect(await bad.runDue()).toEqual({ sent: 0, retried: 0, dead: 1 });
      const item = await outboxItemModel(db.conn).findOne({ dedupeKey: 'export:redirected' }).lean();
      expect(item).toMatchObject({ status: 'dead', attempts: 1, lastError: expect.stringMatching(/HTTP 302 redirecting to .*redirects are never followed/) });
      expect(item!.lastError).not.toMatch(/detached/);
      expect(foreign.requests).toEqual([]);
      await bad.stop();

      const good = createOutbox({ conn: db.conn, client: createWeComClient({ apiBase: sink.url, corpId: 'wwcorp', log: silentLogger }), log: silentLogger, onWebhookRetired: (url, key, at) => markWebhookRetired({ Group: groupModel(db.conn) }, url, key, at) });
      await good.enqueue({ dedupeKey: 'export:fine', target: { kind: 'webhook', url: sink.webhookUrl('robot-b') }, payload: { type: 'file', filename: '推进表.csv', data } });
      expect(await good.runDue()).toEqual({ sent: 1, retried: 0, dead: 0 });
      expect(sink.received.at(-1)!.file).toEqual({ filename: '推进表.csv', data });
      await good.stop();
    } finally {
      await redirecting.stop();
    }
  });
});

describe('a stored webhook on another origin (bound before this check existed)', () => {
  let bot: TestBot;
  let fx: BasicFixture;
  beforeAll(async () => {
    bot = await createTestBot({ env: { WECOM_API_BASE: sink.url } });
    fx = await bot.seed.basic();
  });
  afterAll(() => bot.close());

  it('is never called: the push dies at once, the group is flagged for rebinding, and the admin sees it in /查询', async () => {
    await bot.models.Group.updateOne({ chatId: fx.groups.dongfang }, { $set: { webhookUrl: `${foreign.url}/cgi-bin/webhook/send?key=stolen` } });
    const outbox = createOutbox({ conn: bot.db.conn, client: createWeComClient({ apiBase: sink.url, corpId: 'wwcorp', log: silentLogger }), log: silentLogger, now: bot.now, onWebhookRetired: (url, key, at) => markWebhookRetired({ Group: groupModel(bot.db.conn) }, url, key, at) });
    await outbox.enqueue({ dedupeKey: 'weekly:1', target: { kind: 'webhook', url: `${foreign.url}/cgi-bin/webhook/send?key=stolen` }, payload: { type: 'markdown', content: '本周排名' } });
    expect(await outbox.runDue()).toEqual({ sent: 0, retried: 0, dead: 1 });
    expect(foreign.requests).toEqual([]);
    expect((await bot.models.Group.findOne({ chatId: fx.groups.dongfang }).lean())!.webhookInvalidAt).toEqual(expect.any(Date));
    expect(await bot.send(fx.users.admin, fx.groups.dongfang, '/查询')).toContain('推送地址已失效');
    await outbox.stop();
  });
});

describe('URLs that arrive in callbacks', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await openTestDb();
  });
  afterAll(() => db.close());

  const NOW = new Date('2020-09-28T01:00:00Z');
  const ts = NOW.getTime() / 1000;

  it('a group robot callback’s WebhookUrl on another origin is not stored nor pushed to; the message is still answered, with a log line', async () => {
    const { log, lines } = capturedLog();
    const outbox = recordingOutbox();
    const handle: MessageHandler = async (msg) => ({ markdown: `收到：${msg.text}` });
    const { app } = createTestApp({ conn: db.conn, handle, outbox, now: () => NOW, log, config: testConfig({ WECOM_API_BASE: sink.url }) });
    const foreignHook = `${foreign.url}/cgi-bin/webhook/send?key=K`;
    const cb = buildCallback(TEST_CREDS, { channel: 'bot', user: 'zhangsan', chat: 'wrForeign', text: '/帮助', webhookUrl: foreignHook }, { timestamp: ts });
    const res = await postCallback(app, cb);
    expect(decodeReply(TEST_CREDS, 'bot', res.body).text).toBe('收到：/帮助');
    const group = await db.conn.collection('groups').findOne({ chatId: 'wrForeign' });
    expect(group).not.toBeNull();
    expect(group!.webhookUrl).toBeUndefined();
    expect(outbox.requests).toEqual([]);
    expect(lines.join('')).toContain(`callback's WebhookUrl is on ${foreign.url}, not WeCom's API origin ${sink.url}`);
    expect(lines.join('')).not.toContain('key=K');

    // The same group with its real WebhookUrl (on WeCom's origin) is recorded as before.
    await postCallback(app, buildCallback(TEST_CREDS, { channel: 'bot', user: 'zhangsan', chat: 'wrForeign', text: '/帮助', webhookUrl: sink.webhookUrl('real') }, { timestamp: ts }));
    expect((await db.conn.collection('groups').findOne({ chatId: 'wrForeign' }))!.webhookUrl).toBe(sink.webhookUrl('real'));
  });

  it('an intelligent robot’s response_url on another origin is not kept: a late answer is not posted there', async () => {
    const { log, lines } = capturedLog();
    const outbox = recordingOutbox();
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const handle: MessageHandler = async () => {
      await gate;
      return { markdown: '本周排名' };
    };
    let now = NOW;
    const { app } = createTestApp({ conn: db.conn, handle, outbox, now: () => now, log, config: testConfig({ WECOM_API_BASE: sink.url, REPLY_BUDGET_MS: '100' }) });
    const cb = buildCallback(TEST_CREDS, { user: 'zhangsan', chat: 'wrG', text: '/排名', responseUrl: `${foreign.url}/internal/anything?response_code=C` }, { timestamp: ts });
    expect(decodeReply(TEST_CREDS, 'aibot', (await postCallback(app, cb)).body)).toMatchObject({ kind: 'stream', finished: false });
    expect((await db.conn.collection('processedmessages').findOne({ key: `aibot:${cb.msgId}` }))?.responseUrl ?? null).toBeNull();

    // WeCom stops polling after 6 minutes: an answer after that would go to the response_url.
    now = new Date(NOW.getTime() + 6 * 60_000);
    open();
    await until(() => lines.some((l) => l.includes('an answer cannot be pushed')), 'the late answer');
    expect(outbox.requests).toEqual([]);
    expect(lines.join('')).toContain(`callback's response_url is on ${foreign.url}, not WeCom's API origin ${sink.url}`);
  });
});
