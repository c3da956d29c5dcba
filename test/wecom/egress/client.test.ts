import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { CodedError, OutboundRefusedError, WeComApiError, WeComNetworkError } from '../../../src/errors';
import { silentLogger } from '../../../src/log';
import { createWeComClient, type WeComClientOptions } from '../../../src/wecom/client';
import { startWebhookSink, type WebhookSink } from '../../../src/sim/webhook-sink';

/** A 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const KEY = '693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa';
const SECRET = 'app-secret-0123456789abcdef';

let t = Date.parse('2030-01-07T01:00:00Z');
const now = () => new Date(t);
let sink: WebhookSink;
/** A local port nobody listens on. */
let closed: string;

beforeAll(async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closed = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(async () => {
  t = Date.parse('2030-01-07T01:00:00Z');
  sink = await startWebhookSink({ now, corpId: 'wwcorp', corpSecret: SECRET });
});
afterEach(() => sink.stop());

/** fetch that remembers every URL it was asked for. */
function recordingFetch() {
  const urls: string[] = [];
  const f: typeof fetch = (input, init) => {
    urls.push(String(input));
    return fetch(input, init);
  };
  return { urls, fetch: f };
}

const client = (over: Partial<WeComClientOptions> = {}) =>
  createWeComClient({ apiBase: sink.url, corpId: 'wwcorp', corpSecret: SECRET, agentId: '1000002', log: silentLogger, now, timeoutMs: 2000, ...over });

describe('group robot webhook', () => {
  it('sends text with its mentioned_list, and markdown with the mentions appended', async () => {
    const c = client();
    await c.sendWebhook(sink.webhookUrl(KEY), { type: 'text', content: '请报送本周进度', mentions: ['zhangsan', '@all'] });
    await c.sendWebhook(sink.webhookUrl(KEY), { type: 'markdown', content: '**逾期**：3 项', mentions: ['lisi'] });
    expect(sink.received.map((p) => p.body)).toEqual([
      { msgtype: 'text', text: { content: '请报送本周进度', mentioned_list: ['zhangsan', '@all'] } },
      { msgtype: 'markdown', markdown: { content: '**逾期**：3 项\n<@lisi>' } },
    ]);
  });

  it('sends an image as base64 with the md5 of its bytes, which WeCom checks', async () => {
    await client().sendWebhook(sink.webhookUrl(KEY), { type: 'image', png: PNG });
    expect(sink.received).toHaveLength(1);
    expect(Buffer.from(sink.received[0]!.body.image?.base64 ?? '', 'base64')).toEqual(PNG);
  });

  it('sends a file by uploading it first and pushing its media_id', async () => {
    const data = Buffer.from('楼院,进度\n东方花园,80%\n');
    await client().sendWebhook(sink.webhookUrl(KEY), { type: 'file', filename: '周进度表.csv', data });
    expect(sink.received).toHaveLength(1);
    expect(sink.received[0]!.msgtype).toBe('file');
    expect(sink.received[0]!.file).toEqual({ filename: '周进度表.csv', data });
  });

  it('takes a full webhook URL on WECOM_API_BASE’s origin or a bare key, and refuses a URL on any other host', async () => {
    await client().sendWebhook(sink.webhookUrl(KEY), { type: 'text', content: '一' });
    await client().sendWebhook(KEY, { type: 'text', content: '二' });
    expect(sink.received.map((p) => [p.key, p.body.text?.content])).toEqual([
      [KEY, '一'],
      [KEY, '二'],
    ]);
    await expect(client({ apiBase: closed }).sendWebhook(sink.webhookUrl(KEY), { type: 'text', content: '三' })).rejects.toBeInstanceOf(OutboundRefusedError);
    expect(sink.received).toHaveLength(2);
  });

  it('throws WeComApiError with errcode and api when WeCom refuses, without the key in the message', async () => {
    sink.invalidate(KEY);
    const sending = client().sendWebhook(sink.webhookUrl(KEY), { type: 'text', content: '你好' });
    await expect(sending).rejects.toBeInstanceOf(WeComApiError);
    await expect(sending).rejects.toMatchObject({ errcode: 93000, api: 'webhook/send' });
    const err = (await sending.catch((e: Error) => e)) as Error;
    expect(err.message).toMatch(/93000/);
    expect(err.message).not.toContain(KEY);
  });

  it('throws WeComNetworkError on HTTP 500, no answer, a body that is not JSON, and a refused connection', async () => {
    sink.failNext(1, { status: 500 });
    await expect(client().sendWebhook(KEY, { type: 'text', content: 'a' })).rejects.toBeInstanceOf(WeComNetworkError);
    sink.failNext(1, { timeout: true });
    await expect(client({ timeoutMs: 200 }).sendWebhook(KEY, { type: 'text', content: 'a' })).rejects.toThrow(/no answer within 200 ms/);
    const html: typeof fetch = async () => new Response('<html>502 Bad Gateway</html>', { status: 200 });
    await expect(client({ fetch: html }).sendWebhook(KEY, { type: 'text', content: 'a' })).rejects.toBeInstanceOf(WeComNetworkError);
    await expect(client({ apiBase: closed }).sendWebhook(KEY, { type: 'text', content: 'a' })).rejects.toBeInstanceOf(
      WeComNetworkError,
    );
    expect(sink.received).toHaveLength(0);
  });
});

describe('intelligent robot response_url', () => {
  it('posts the answer as markdown once; a second use is refused', async () => {
    const url = sink.responseUrl();
    await client().postResponseUrl(url, { type: 'markdown', content: '已登记诉求 #7' });
    expect(sink.received[0]).toMatchObject({ channel: 'response_url', body: { msgtype: 'markdown', markdown: { content: '已登记诉求 #7' } } });
    await expect(client().postResponseUrl(url, { type: 'markdown', content: '再来一次' })).rejects.toBeInstanceOf(WeComApiError);
  });
});

describe('self-built app message', () => {
  it('fetches the access_token once, reuses it, and renews it shortly before it expires', async () => {
    const rec = recordingFetch();
    const c = client({ fetch: rec.fetch });
    await c.sendAppMessage('zhangsan', { type: 'text', content: '一' });
    await c.sendAppMessage('zhangsan', { type: 'markdown', content: '**二**' });
    expect(rec.urls.filter((u) => u.includes('/gettoken'))).toHaveLength(1);
    t += 7200_000 - 60_000; // a minute before WeCom's 7,200 s run out
    await c.sendAppMessage('zhangsan', { type: 'text', content: '三' });
    expect(rec.urls.filter((u) => u.includes('/gettoken'))).toHaveLength(2);
    expect(sink.received.map((p) => [p.channel, p.key, p.msgtype])).toEqual([
      ['app', 'zhangsan', 'text'],
      ['app', 'zhangsan', 'markdown'],
      ['app', 'zhangsan', 'text'],
    ]);
  });

  it('fetches a new token and repeats the call once when WeCom says 42001 (expired)', async () => {
    const rec = recordingFetch();
    const c = client({ fetch: rec.fetch });
    await c.sendAppMessage('zhangsan', { type: 'text', content: '一' });
    sink.expireTokens();
    await c.sendAppMessage('zhangsan', { type: 'text', content: '二' });
    expect(rec.urls.filter((u) => u.includes('/gettoken'))).toHaveLength(2);
    expect(sink.received.map((p) => p.body.text?.content)).toEqual(['一', '二']);
  });

  it('sends a file through a media upload', async () => {
    const data = Buffer.from('导出内容');
    await client().sendAppMessage('lisi', { type: 'file', filename: '周报.xlsx', data });
    expect(sink.received[0]).toMatchObject({ channel: 'app', key: 'lisi', msgtype: 'file', file: { filename: '周报.xlsx', data } });
  });

  it('says which settings are missing when there is no corpSecret or agentId', async () => {
    const sending = client({ corpSecret: undefined }).sendAppMessage('zhangsan', { type: 'text', content: '一' });
    await expect(sending).rejects.toBeInstanceOf(CodedError);
    await expect(sending).rejects.toThrow(/WECOM_CORP_SECRET and WECOM_AGENT_ID/);
  });

  it('rejects a wrong secret with WeComApiError from gettoken', async () => {
    await expect(client({ corpSecret: 'wrong-secret-123' }).sendAppMessage('zhangsan', { type: 'text', content: '一' })).rejects.toMatchObject({
      api: 'gettoken',
      errcode: 40001,
    });
  });
});

describe('secrets', () => {
  it('never writes the webhook key, access_token or secret to the log or into error messages', async () => {
    const lines: string[] = [];
    const log = pino(
      { level: 'trace' },
      new Writable({
        write(chunk, _enc, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    );
    const rec = recordingFetch();
    const c = client({ log, fetch: rec.fetch });
    const errors: string[] = [];
    const attempt = (p: Promise<void>) => p.catch((e: Error) => void errors.push(`${e.message} ${JSON.stringify(e)}`));

    await c.sendWebhook(sink.webhookUrl(KEY), { type: 'file', filename: 'a.txt', data: Buffer.from('hello') });
    await c.sendAppMessage('zhangsan', { type: 'text', content: '一' });
    sink.expireTokens();
    await c.sendAppMessage('zhangsan', { type: 'text', content: '二' });
    sink.failNext(1, { errcode: 40014, errmsg: `invalid access_token ${KEY}` });
    await attempt(c.sendWebhook(sink.webhookUrl(KEY), { type: 'text', content: 'a' }));
    sink.failNext(1, { status: 500 });
    await attempt(c.sendWebhook(sink.webhookUrl(KEY), { type: 'text', content: 'a' }));
    await attempt(client({ log, apiBase: closed }).sendWebhook(KEY, { type: 'text', content: 'a' }));
    await attempt(client({ log }).sendWebhook(`http://[bad/cgi-bin/webhook/send?key=${KEY}`, { type: 'text', content: 'a' }));

    const tokens = rec.urls.map((u) => new URL(u).searchParams.get('access_token')).filter((v): v is string => !!v);
    expect(tokens.length).toBeGreaterThan(0);
    expect(errors).toHaveLength(4);
    expect(lines.length).toBeGreaterThan(0);
    const written = [...lines, ...errors].join('\n');
    for (const secret of [KEY, SECRET, ...tokens]) expect(written).not.toContain(secret);
  });
});
