import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for WeCom's server API, for tests, the simulator and benchmarks: the group robot
 * webhook with its limits and errcodes (path/99110), the access_token and app message APIs
 * (path/91039, path/90236, path/90253), and the intelligent robot's response_url
 * (path/101138). It keeps its own clock, so a test can step time for it and the outbox alike.
 */

/**
 * A message body as the sink took it: WeCom's JSON, checked as far as the sink checks it
 * (content and media fields are strings where the message type needs them).
 */
export interface PushBody {
  msgtype: string;
  touser?: string;
  text?: PushPart;
  markdown?: PushPart;
  markdown_v2?: PushPart;
  image?: PushPart;
  file?: PushPart;
  voice?: PushPart;
  news?: PushPart;
  [field: string]: unknown;
}

export interface PushPart {
  content?: string;
  mentioned_list?: string[];
  mentioned_mobile_list?: string[];
  base64?: string;
  md5?: string;
  media_id?: string;
  articles?: unknown[];
  [field: string]: unknown;
}

/** An accepted push, as WeCom would have shown it in the chat. */
export interface SinkPush {
  /** Robot key (webhook), response code (response_url) or userid (app). */
  key: string;
  at: Date;
  /** The JSON WeCom got. */
  body: PushBody;
  msgtype: string;
  /** Which API took it. */
  channel: 'webhook' | 'response_url' | 'app';
  /** File pushes: the uploaded file. */
  file?: { filename: string; data: Buffer };
}

export type SinkFailure = { status: 500 } | { timeout: true } | { errcode: number; errmsg?: string };

export interface WebhookSink {
  /** Base, e.g. http://127.0.0.1:PORT — use as WECOM_API_BASE. */
  url: string;
  /** `${url}/cgi-bin/webhook/send?key=${key}` */
  webhookUrl(key: string): string;
  /** A response_url as the intelligent robot callback carries it, valid 1 hour from now (sink clock), once. */
  responseUrl(code?: string): string;
  /** Accepted pushes in arrival order. */
  received: SinkPush[];
  /** Pushes refused by the sink's own checks (rate limit, size, format, removed robot), not injected failures. */
  rejected: Array<{ key: string; at: Date; errcode: number }>;
  /** Makes the next n requests (optionally only for one key) fail: HTTP 500, a timeout (no answer), or an errcode answer. */
  failNext(n: number, how: SinkFailure, key?: string): void;
  /** Requests held without an answer right now (injected timeouts whose caller has not given up yet). */
  readonly holding: number;
  /** Marks a key as removed: every later push gets 93000. */
  invalidate(key: string): void;
  /** Makes every access_token issued so far expired (42001 on next use). */
  expireTokens(): void;
  onPush?: (p: SinkPush) => void;
  /**
   * Serves `data` (as given: the simulator encrypts an intelligent robot's picture first) at a
   * short-lived link on the sink, the way WeCom serves the pictures users send; returns the link.
   */
  hostMedia(data: Buffer): string;
  stop(): Promise<void>;
}

export interface WebhookSinkOptions {
  port?: number;
  /** Pushes per robot in any 60 s window; more get 45009. Default 20. */
  perMinute?: number;
  now?: () => Date;
  /** When given, gettoken checks them (40013 / 40001). */
  corpId?: string;
  corpSecret?: string;
}

const WINDOW_MS = 60_000;
const TOKEN_LIFETIME_S = 7200;
const MEDIA_LIFETIME_MS = 3 * 24 * 3600_000;
const RESPONSE_URL_LIFETIME_MS = 3600_000;
const MAX_BODY_BYTES = 32 * 1024 * 1024;
const LIMITS = { text: 2048, markdown: 4096, appText: 2048, appMarkdown: 2048, responseMarkdown: 4096, image: 2 * 1024 * 1024, file: 20 * 1024 * 1024 };

/** An errcode answer: WeCom sends these with HTTP 200. */
class Refusal {
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
  ) {}
}

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

function isImage(data: Buffer): boolean {
  const png = data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const jpg = data[0] === 0xff && data[1] === 0xd8;
  return png || jpg;
}

/** The part named "media" of a multipart body (WeCom's upload APIs take exactly that). */
function mediaPart(contentType: string, body: Buffer): { filename: string; data: Buffer } {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (!boundary) throw new Refusal(40058, 'not multipart/form-data');
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const headerStart = start + delimiter.length + 2; // past CRLF
    const headerEnd = body.indexOf('\r\n\r\n', headerStart);
    if (headerEnd === -1) break;
    const headers = body.subarray(headerStart, headerEnd).toString('utf8');
    const next = body.indexOf(delimiter, headerEnd + 4);
    if (next === -1) break;
    if (/name="media"/i.test(headers)) {
      const filename = /filename="([^"]*)"/i.exec(headers)?.[1] ?? 'file';
      return { filename, data: body.subarray(headerEnd + 4, next - 2) }; // minus the CRLF before the delimiter
    }
    start = next;
  }
  throw new Refusal(40058, 'missing media part');
}

/** Where hostMedia serves pictures, and for how long (WeCom's links: 5 minutes). */
const MEDIA_PATH = '/sim-media/';
const MEDIA_LINK_LIFETIME_MS = 5 * 60_000;

/** Starts the sink on 127.0.0.1 (a free port unless `port` is given). */
export async function startWebhookSink(opts: WebhookSinkOptions = {}): Promise<WebhookSink> {
  const now = opts.now ?? (() => new Date());
  const perMinute = opts.perMinute ?? 20;
  const failures: Array<{ left: number; how: SinkFailure; key?: string }> = [];
  const invalidKeys = new Set<string>();
  /** Accepted send times per robot key, oldest first, trimmed to the window. */
  const windows = new Map<string, number[]>();
  const media = new Map<string, { owner: string; expiresAt: number; filename: string; data: Buffer }>();
  const tokens = new Map<string, number>();
  const responseCodes = new Map<string, { expiresAt: number; used: boolean }>();
  const held = new Set<ServerResponse>();
  /** Pictures "users sent" (hostMedia), by id. */
  const hostedMedia = new Map<string, { expiresAt: number; data: Buffer }>();

  const sink: WebhookSink = {
    url: '',
    webhookUrl: (key) => `${sink.url}/cgi-bin/webhook/send?key=${encodeURIComponent(key)}`,
    responseUrl: (code = randomBytes(12).toString('hex')) => {
      responseCodes.set(code, { expiresAt: now().getTime() + RESPONSE_URL_LIFETIME_MS, used: false });
      return `${sink.url}/cgi-bin/aibot/response?response_code=${encodeURIComponent(code)}`;
    },
    received: [],
    rejected: [],
    get holding() {
      return held.size;
    },
    failNext(n, how, key) {
      failures.push({ left: n, how, key });
    },
    invalidate(key) {
      invalidKeys.add(key);
    },
    expireTokens() {
      for (const token of tokens.keys()) tokens.set(token, 0);
    },
    hostMedia(data) {
      const id = randomBytes(12).toString('hex');
      hostedMedia.set(id, { expiresAt: now().getTime() + MEDIA_LINK_LIFETIME_MS, data });
      return `${sink.url}${MEDIA_PATH}${id}?sign=sim`;
    },
    async stop() {
      for (const res of held) res.socket?.destroy();
      held.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  function accept(push: Omit<SinkPush, 'at'>): void {
    const p: SinkPush = { ...push, at: now() };
    sink.received.push(p);
    sink.onPush?.(p);
  }

  function takeFailure(key: string | undefined): SinkFailure | null {
    const i = failures.findIndex((f) => f.key === undefined || f.key === key);
    if (i === -1) return null;
    const f = failures[i]!;
    if (--f.left <= 0) failures.splice(i, 1);
    return f.how;
  }

  function checkRobot(key: string | null): string {
    if (!key || invalidKeys.has(key)) throw new Refusal(93000, 'invalid webhook url');
    return key;
  }

  function checkToken(token: string | null): void {
    if (!token) throw new Refusal(41001, 'access_token missing');
    const expiresAt = tokens.get(token);
    if (expiresAt === undefined) throw new Refusal(40014, 'invalid access_token');
    if (now().getTime() >= expiresAt) throw new Refusal(42001, 'access_token expired');
  }

  /** The request's JSON object; its fields are checked by the API that reads them. */
  function json(body: Buffer): PushBody {
    try {
      const parsed: unknown = JSON.parse(body.toString('utf8'));
      if (typeof parsed !== 'object' || parsed === null) throw new Error('not an object');
      return parsed as PushBody;
    } catch {
      throw new Refusal(47001, 'data format error: Warning: wrong json format.');
    }
  }

  function checkContent(content: unknown, limit: number, field: string): void {
    if (typeof content !== 'string' || content.trim() === '') throw new Refusal(44004, 'empty content');
    if (bytes(content) > limit) throw new Refusal(40058, `${field}.content exceed max length ${limit}. invalid Request Parameter`);
  }

  /** Looks up an uploaded media_id that `owner` may send. */
  function mediaFor(owner: string, mediaId: unknown): { filename: string; data: Buffer } {
    const m = typeof mediaId === 'string' ? media.get(mediaId) : undefined;
    if (!m || m.owner !== owner || now().getTime() >= m.expiresAt) throw new Refusal(40007, 'invalid media_id');
    return m;
  }

  function storeMedia(owner: string, type: string | null, upload: { filename: string; data: Buffer }) {
    if (type !== 'file' && type !== 'image' && type !== 'voice') throw new Refusal(40005, 'invalid file type');
    const max = type === 'image' ? LIMITS.image : LIMITS.file;
    if (upload.data.length < 5 || upload.data.length > max) throw new Refusal(40006, 'invalid file size');
    if (type === 'image' && !isImage(upload.data)) throw new Refusal(40004, 'invalid media type');
    const mediaId = `${type}_${randomBytes(16).toString('hex')}`;
    media.set(mediaId, { owner, expiresAt: now().getTime() + MEDIA_LIFETIME_MS, ...upload });
    return { type, media_id: mediaId, created_at: String(Math.floor(now().getTime() / 1000)) };
  }

  // path/99110 "消息类型及数据格式": what a webhook push must look like.
  function checkWebhookBody(key: string, body: PushBody): { file?: { filename: string; data: Buffer } } {
    switch (body.msgtype) {
      case 'text':
        checkContent(body.text?.content, LIMITS.text, 'text');
        if (body.text?.mentioned_list !== undefined && !Array.isArray(body.text.mentioned_list)) {
          throw new Refusal(40058, 'mentioned_list must be an array. invalid Request Parameter');
        }
        return {};
      case 'markdown':
      case 'markdown_v2':
        checkContent(body[body.msgtype]?.content, LIMITS.markdown, body.msgtype);
        return {};
      case 'image': {
        const { base64, md5 } = body.image ?? {};
        if (typeof base64 !== 'string' || typeof md5 !== 'string') throw new Refusal(40058, 'image.base64 and image.md5 required');
        const data = Buffer.from(base64, 'base64');
        if (data.length === 0 || data.length > LIMITS.image) throw new Refusal(40009, 'invalid image size');
        if (createHash('md5').update(data).digest('hex') !== md5.toLowerCase()) throw new Refusal(40058, 'image md5 not match');
        if (!isImage(data)) throw new Refusal(40004, 'invalid media type: jpg or png only');
        return {};
      }
      case 'file':
      case 'voice':
        return { file: mediaFor(key, body[body.msgtype]?.media_id) };
      case 'news': {
        const articles = body.news?.articles;
        if (!Array.isArray(articles) || articles.length < 1 || articles.length > 8) throw new Refusal(40058, 'news.articles must hold 1-8 articles');
        return {};
      }
      case 'template_card':
        return {};
      default:
        throw new Refusal(40008, 'invalid message type');
    }
  }

  /** 20 in any 60 s per robot, by the sink's clock; only accepted pushes count. */
  function checkRate(key: string): void {
    const t = now().getTime();
    let times = windows.get(key);
    if (!times) windows.set(key, (times = []));
    let expired = 0;
    while (expired < times.length && times[expired]! <= t - WINDOW_MS) expired++;
    if (expired > 0) times.splice(0, expired);
    if (times.length >= perMinute) throw new Refusal(45009, 'api freq out of limit');
  }

  async function route(req: IncomingMessage, url: URL, body: Buffer): Promise<Record<string, unknown>> {
    const q = url.searchParams;
    const path = url.pathname;
    if (req.method === 'POST' && path === '/cgi-bin/webhook/send') {
      const key = q.get('key') ?? '';
      try {
        checkRobot(key);
        checkRate(key);
        const parsed = json(body);
        const { file } = checkWebhookBody(key, parsed);
        windows.get(key)!.push(now().getTime());
        accept({ key, body: parsed, msgtype: parsed.msgtype, channel: 'webhook', ...(file ? { file: { filename: file.filename, data: file.data } } : {}) });
        return {};
      } catch (err) {
        if (err instanceof Refusal) sink.rejected.push({ key, at: now(), errcode: err.errcode });
        throw err;
      }
    }
    if (req.method === 'POST' && path === '/cgi-bin/webhook/upload_media') {
      const key = checkRobot(q.get('key'));
      return storeMedia(key, q.get('type'), mediaPart(req.headers['content-type'] ?? '', body));
    }
    if (req.method === 'GET' && path === '/cgi-bin/gettoken') {
      if (opts.corpId !== undefined && q.get('corpid') !== opts.corpId) throw new Refusal(40013, 'invalid corpid');
      if (opts.corpSecret !== undefined && q.get('corpsecret') !== opts.corpSecret) throw new Refusal(40001, 'invalid credential');
      const token = randomBytes(24).toString('hex');
      tokens.set(token, now().getTime() + TOKEN_LIFETIME_S * 1000);
      return { access_token: token, expires_in: TOKEN_LIFETIME_S };
    }
    if (req.method === 'POST' && path === '/cgi-bin/media/upload') {
      checkToken(q.get('access_token'));
      return storeMedia('app', q.get('type'), mediaPart(req.headers['content-type'] ?? '', body));
    }
    if (req.method === 'POST' && path === '/cgi-bin/message/send') {
      checkToken(q.get('access_token'));
      const parsed = json(body);
      if (typeof parsed.touser !== 'string' || !parsed.touser) throw new Refusal(40031, 'invalid user list');
      if (parsed.agentid === undefined) throw new Refusal(41011, 'missing agentid');
      let file: { filename: string; data: Buffer } | undefined;
      if (parsed.msgtype === 'text') checkContent(parsed.text?.content, LIMITS.appText, 'text');
      else if (parsed.msgtype === 'markdown') checkContent(parsed.markdown?.content, LIMITS.appMarkdown, 'markdown');
      else if (parsed.msgtype === 'image' || parsed.msgtype === 'file') file = mediaFor('app', parsed[parsed.msgtype]?.media_id);
      else throw new Refusal(40008, 'invalid message type');
      accept({ key: parsed.touser, body: parsed, msgtype: parsed.msgtype, channel: 'app', ...(file ? { file: { filename: file.filename, data: file.data } } : {}) });
      return { invaliduser: '', invalidparty: '', invalidtag: '' };
    }
    if (req.method === 'POST' && (path === '/cgi-bin/aibot/response' || path === '/aibot/response')) {
      const code = q.get('response_code') ?? q.get('id');
      if (!code) throw new Refusal(40058, 'response_code missing');
      const known = responseCodes.get(code);
      // One call per response_url, within an hour of the callback (path/101138).
      if (known?.used || (known && now().getTime() >= known.expiresAt)) throw new Refusal(40058, 'response_code used or expired');
      const parsed = json(body);
      if (parsed.msgtype === 'markdown') checkContent(parsed.markdown?.content, LIMITS.responseMarkdown, 'markdown');
      else if (parsed.msgtype !== 'template_card') throw new Refusal(40008, 'invalid message type');
      responseCodes.set(code, { expiresAt: known?.expiresAt ?? Infinity, used: true });
      accept({ key: code, body: parsed, msgtype: parsed.msgtype, channel: 'response_url' });
      return {};
    }
    throw new Refusal(404, `no such API: ${req.method} ${path}`);
  }

  function readBody(req: IncomingMessage): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) reject(new Refusal(45002, 'content size out of limit'));
        else chunks.push(chunk);
      });
      req.on('end', () => resolve(Buffer.concat(chunks)));
      req.on('error', reject);
    });
  }

  const answer = (res: ServerResponse, body: Record<string, unknown>) => {
    res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
    res.end(JSON.stringify(body));
  };

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://sink');
      const hosted = req.method === 'GET' && url.pathname.startsWith(MEDIA_PATH) ? hostedMedia.get(url.pathname.slice(MEDIA_PATH.length)) : undefined;
      if (req.method === 'GET' && url.pathname.startsWith(MEDIA_PATH)) {
        // WeCom's picture links are valid 5 minutes.
        if (!hosted || now().getTime() > hosted.expiresAt) res.writeHead(404).end();
        else res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': hosted.data.length }).end(hosted.data);
        return;
      }
      try {
        const body = await readBody(req);
        const q = url.searchParams;
        const failure = takeFailure(q.get('key') ?? q.get('response_code') ?? q.get('id') ?? undefined);
        if (failure && 'timeout' in failure) {
          held.add(res);
          res.on('close', () => held.delete(res));
          return;
        }
        if (failure && 'status' in failure) {
          res.writeHead(failure.status, { 'content-type': 'text/html' });
          res.end('<html><body>Internal Server Error</body></html>');
          return;
        }
        if (failure) throw new Refusal(failure.errcode, failure.errmsg ?? 'injected failure');
        answer(res, { errcode: 0, errmsg: 'ok', ...(await route(req, url, body)) });
      } catch (err) {
        if (err instanceof Refusal) answer(res, { errcode: err.errcode, errmsg: err.errmsg });
        else {
          res.writeHead(500);
          res.end(String(err));
        }
      }
    })();
  });
  server.keepAliveTimeout = 1000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  sink.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return sink;
}
