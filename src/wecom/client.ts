import { createHash, randomBytes } from 'node:crypto';
import { CodedError, OutboundRefusedError, WeComApiError, WeComNetworkError } from '../errors';
import type { Logger } from '../log';
import { apiOrigin, isWeComApiUrl, originForLog } from './origin';

/** One message as the product hands it to WeCom; the client builds WeCom's JSON from it. */
export type WeComMessage =
  /** Mentions are appended to the content as `<@userid>`. */
  | { type: 'markdown'; content: string; mentions?: string[] }
  /** Mentions go in `mentioned_list` (userids or "@all"). */
  | { type: 'text'; content: string; mentions?: string[] }
  | { type: 'image'; png: Buffer }
  | { type: 'file'; filename: string; data: Buffer };

/**
 * The WeCom calls the product makes. Every method throws WeComApiError, WeComNetworkError, or
 * OutboundRefusedError: every request goes to WECOM_API_BASE's origin only, and never follows
 * a redirect.
 */
export interface WeComClient {
  /**
   * Group robot push. `url` is the robot's webhook URL (`…/cgi-bin/webhook/send?key=KEY`, on
   * WECOM_API_BASE's origin) or the bare key (then sent to WECOM_API_BASE).
   */
  sendWebhook(url: string, message: WeComMessage): Promise<void>;
  /** The intelligent robot's one later answer to a message, as markdown (path/101138). */
  postResponseUrl(url: string, message: Extract<WeComMessage, { type: 'markdown' | 'text' }>): Promise<void>;
  /** A self-built app message to one user; needs WECOM_CORP_SECRET and WECOM_AGENT_ID. */
  sendAppMessage(toUser: string, message: WeComMessage): Promise<void>;
}

export interface WeComClientOptions {
  /** WECOM_API_BASE, e.g. https://qyapi.weixin.qq.com (no trailing slash needed); no request goes to another origin. */
  apiBase: string;
  corpId: string;
  corpSecret?: string;
  agentId?: string;
  fetch?: typeof fetch;
  log: Logger;
  now?: () => Date;
  /** Per request; a request without an answer by then is a WeComNetworkError. Default 10 s. */
  timeoutMs?: number;
}

/** errcodes after which the access_token is fetched again and the call repeated once (path/90313). */
const TOKEN_ERRCODES = new Set([42001, 40014, 40001]);
/** A token is renewed this long before WeCom says it expires. */
const TOKEN_MARGIN_MS = 5 * 60_000;

/** `ab…yz`: enough to tell two secrets apart in a log, not enough to use one. */
export function maskSecret(secret: string): string {
  return secret.length <= 6 ? '…' : `${secret.slice(0, 2)}…${secret.slice(-2)}`;
}

/** The robot key of a webhook URL (or the argument itself when it is a bare key). */
export function webhookKey(urlOrKey: string): string {
  if (!urlOrKey.includes('://')) return urlOrKey.trim();
  const key = parseUrl(urlOrKey).searchParams.get('key');
  if (!key) throw new CodedError('E_BAD_URL', `webhook URL without key=: ${maskWebhookUrl(urlOrKey)}`);
  return key;
}

/** new URL(), with an error that does not repeat the URL (it holds a key or response code). */
function parseUrl(url: string): URL {
  try {
    return new URL(url);
  } catch {
    throw new CodedError('E_BAD_URL', `not a valid URL: ${maskWebhookUrl(url)}`);
  }
}

/** The webhook URL with its key masked, for logs and admin views. */
export function maskWebhookUrl(urlOrKey: string): string {
  if (!urlOrKey.includes('://')) return `key=${maskSecret(urlOrKey)}`;
  return urlOrKey.replace(/([?&](?:key|response_code|id|access_token)=)([^&#]*)/g, (_, name: string, value: string) => `${name}${maskSecret(value)}`);
}

/** Markdown content with the mentions appended as `<@userid>` on a line of their own. */
export function withMentions(content: string, mentions: string[] | undefined): string {
  if (!mentions?.length) return content;
  const tags = mentions.map((m) => (m === '@all' ? '<@all>' : `<@${m}>`)).join('');
  return `${content}${content === '' || content.endsWith('\n') ? '' : '\n'}${tags}`;
}

/**
 * A multipart body with one part named "media", as WeCom's upload APIs want it
 * (path/99110 "文件上传接口", path/90253): filename and filelength in the disposition.
 */
function multipartMedia(filename: string, data: Buffer, contentType: string): { body: Buffer; type: string } {
  const boundary = `----louyuantong${randomBytes(12).toString('hex')}`;
  const safeName = filename.replace(/["\r\n]/g, '_');
  const head =
    `--${boundary}\r\n` +
    `Content-Disposition: form-data; name="media"; filename="${safeName}"; filelength=${data.length}\r\n` +
    `Content-Type: ${contentType}\r\n\r\n`;
  return {
    body: Buffer.concat([Buffer.from(head, 'utf8'), data, Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8')]),
    type: `multipart/form-data; boundary=${boundary}`,
  };
}

/** Creates the client. No request is made until a method is called. */
export function createWeComClient(opts: WeComClientOptions): WeComClient {
  const apiBase = opts.apiBase.replace(/\/+$/, '');
  const doFetch = opts.fetch ?? fetch;
  const now = opts.now ?? (() => new Date());
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const log = opts.log;

  let token: { value: string; renewAt: number } | null = null;
  let tokenFetch: Promise<string> | null = null;

  /** Replaces every secret in a message with its mask, so no error text carries one. */
  const scrub = (text: string, secrets: string[]): string =>
    secrets.filter((s) => s.length > 0).reduce((t, s) => t.split(s).join(maskSecret(s)), text);

  const origin = apiOrigin(apiBase);

  /**
   * One HTTPS call, the only place a request leaves the process. 1. The URL must be on
   * WECOM_API_BASE's origin. 2. Redirects are not followed: a 3xx is refused (following one
   * would re-send the body, robot key included, wherever it points). 3. WeCom answers HTTP
   * 200 with `errcode` (0 = ok); anything else that is not its JSON (5xx, HTML, no answer) is
   * a network failure. The body is a string or fresh bytes for this attempt alone.
   */
  async function call(
    api: string,
    url: string,
    init: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: string | Buffer },
    secrets: string[],
  ): Promise<Record<string, unknown>> {
    if (!isWeComApiUrl(url, apiBase)) {
      throw new OutboundRefusedError(api, 'origin', `${originForLog(url)} is not WeCom's API origin ${origin} (WECOM_API_BASE)`);
    }
    let status: number;
    let text: string;
    try {
      // A copy in an ArrayBuffer of its own: fetch may detach what it is given, and a pooled Buffer shares its memory with others.
      const body = typeof init.body === 'string' || init.body === undefined ? init.body : new Uint8Array(init.body);
      const res = await doFetch(url, { ...init, body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
      status = res.status;
      if (status >= 300 && status < 400) {
        await res.body?.cancel().catch(() => {});
        const location = res.headers.get('location');
        const to = !location ? 'no Location' : URL.canParse(location, url) ? new URL(location, url).origin : 'an invalid Location';
        throw new OutboundRefusedError(api, 'redirect', `answered HTTP ${status} redirecting to ${to}; redirects are never followed — check WECOM_API_BASE and any proxy in between`);
      }
      text = await res.text();
    } catch (err) {
      if (err instanceof OutboundRefusedError) throw err;
      const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
      const reason =
        e.name === 'TimeoutError' || e.name === 'AbortError'
          ? `no answer within ${timeoutMs} ms`
          : (e.cause?.code ?? e.cause?.message ?? e.message ?? String(err));
      throw new WeComNetworkError(api, scrub(reason, secrets));
    }
    if (status >= 500) throw new WeComNetworkError(api, `HTTP ${status}`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new WeComNetworkError(api, `HTTP ${status} with a body that is not JSON`);
    }
    if (typeof body !== 'object' || body === null) throw new WeComNetworkError(api, `HTTP ${status} with unexpected JSON`);
    const answer = body as Record<string, unknown>;
    if (answer.errcode === undefined && status >= 400) throw new WeComNetworkError(api, `HTTP ${status}`);
    const errcode = Number(answer.errcode ?? 0);
    if (errcode !== 0) throw new WeComApiError(api, errcode, scrub(String(answer.errmsg ?? ''), secrets));
    log.debug({ api }, `WeCom ${api} ok`);
    return answer;
  }

  const postJson = (api: string, url: string, payload: unknown, secrets: string[]) =>
    call(api, url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) }, secrets);

  const postMedia = async (api: string, url: string, filename: string, data: Buffer, contentType: string, secrets: string[]) => {
    const form = multipartMedia(filename, data, contentType);
    const answer = await call(api, url, { method: 'POST', headers: { 'content-type': form.type }, body: form.body }, secrets);
    if (typeof answer.media_id !== 'string') throw new WeComNetworkError(api, 'answer without media_id');
    return answer.media_id;
  };

  /** The robot's send URL, and the upload URL next to it (same host, path/99110). */
  function webhookUrls(urlOrKey: string): { key: string; send: string; upload: string } {
    const key = webhookKey(urlOrKey);
    const send = parseUrl(urlOrKey.includes('://') ? urlOrKey : `${apiBase}/cgi-bin/webhook/send`);
    send.searchParams.set('key', key);
    const upload = new URL(send);
    upload.pathname = send.pathname.replace(/\/send$/, '/upload_media');
    upload.search = '';
    upload.searchParams.set('key', key);
    upload.searchParams.set('type', 'file');
    return { key, send: send.toString(), upload: upload.toString() };
  }

  // ── access_token (path/91039): cached, renewed before expiry, one fetch at a time ──
  function requireApp(): { secret: string; agentId: number } {
    if (!opts.corpSecret || !opts.agentId) {
      throw new CodedError(
        'E_CONFIG',
        'app messages need WECOM_CORP_SECRET and WECOM_AGENT_ID — copy them from the app’s page in the WeCom admin console',
      );
    }
    return { secret: opts.corpSecret, agentId: Number(opts.agentId) };
  }

  async function accessToken(): Promise<string> {
    if (token && now().getTime() < token.renewAt) return token.value;
    tokenFetch ??= (async () => {
      const { secret } = requireApp();
      const url = `${apiBase}/cgi-bin/gettoken?corpid=${encodeURIComponent(opts.corpId)}&corpsecret=${encodeURIComponent(secret)}`;
      const answer = await call('gettoken', url, { method: 'GET' }, [secret]);
      const value = String(answer.access_token ?? '');
      if (!value) throw new WeComNetworkError('gettoken', 'answer without access_token');
      const lifetimeMs = (Number(answer.expires_in) || 7200) * 1000;
      token = { value, renewAt: now().getTime() + Math.max(lifetimeMs - TOKEN_MARGIN_MS, lifetimeMs / 2) };
      return value;
    })().finally(() => {
      tokenFetch = null;
    });
    return tokenFetch;
  }

  /** Runs `fn` with a token; on an expired/invalid-token errcode fetches a new one and runs it once more. */
  async function withToken<T>(fn: (accessToken: string) => Promise<T>): Promise<T> {
    const used = await accessToken();
    try {
      return await fn(used);
    } catch (err) {
      if (!(err instanceof WeComApiError) || !TOKEN_ERRCODES.has(err.errcode)) throw err;
      log.info({ errcode: err.errcode }, 'WeCom refused the access_token; fetching a new one');
      if (token?.value === used) token = null;
      return fn(await accessToken());
    }
  }

  return {
    async sendWebhook(urlOrKey, message) {
      const { key, send, upload } = webhookUrls(urlOrKey);
      const secrets = [key];
      // Message formats: path/99110 "消息类型及数据格式".
      switch (message.type) {
        case 'text':
          await postJson('webhook/send', send, { msgtype: 'text', text: { content: message.content, mentioned_list: message.mentions } }, secrets);
          return;
        case 'markdown':
          await postJson('webhook/send', send, { msgtype: 'markdown', markdown: { content: withMentions(message.content, message.mentions) } }, secrets);
          return;
        case 'image':
          // base64 of the image and md5 of the raw bytes (before base64).
          await postJson(
            'webhook/send',
            send,
            { msgtype: 'image', image: { base64: message.png.toString('base64'), md5: createHash('md5').update(message.png).digest('hex') } },
            secrets,
          );
          return;
        case 'file': {
          // 1. upload (multipart "media", valid 3 days, this robot only); 2. send its media_id.
          const mediaId = await postMedia('webhook/upload_media', upload, message.filename, message.data, 'application/octet-stream', secrets);
          await postJson('webhook/send', send, { msgtype: 'file', file: { media_id: mediaId } }, secrets);
          return;
        }
      }
    },

    async postResponseUrl(url, message) {
      const code = parseUrl(url).searchParams;
      const secrets = [code.get('response_code') ?? '', code.get('id') ?? ''];
      // path/101138: markdown (or a template card); one call per response_url, within 1 hour.
      await postJson('aibot/response', url, { msgtype: 'markdown', markdown: { content: withMentions(message.content, message.mentions) } }, secrets);
    },

    async sendAppMessage(toUser, message) {
      const { secret, agentId } = requireApp();
      await withToken(async (accessToken) => {
        const secrets = [accessToken, secret];
        const sendUrl = `${apiBase}/cgi-bin/message/send?access_token=${encodeURIComponent(accessToken)}`;
        const base = { touser: toUser, agentid: agentId };
        // Message formats: path/90236 "发送应用消息".
        switch (message.type) {
          case 'text':
            await postJson('message/send', sendUrl, { ...base, msgtype: 'text', text: { content: message.content } }, secrets);
            return;
          case 'markdown':
            await postJson('message/send', sendUrl, { ...base, msgtype: 'markdown', markdown: { content: message.content } }, secrets);
            return;
          case 'image':
          case 'file': {
            // 1. upload a temporary media (path/90253, valid 3 days); 2. send its media_id.
            const type = message.type;
            const uploadUrl = `${apiBase}/cgi-bin/media/upload?access_token=${encodeURIComponent(accessToken)}&type=${type}`;
            const mediaId =
              message.type === 'image'
                ? await postMedia('media/upload', uploadUrl, 'image.png', message.png, 'image/png', secrets)
                : await postMedia('media/upload', uploadUrl, message.filename, message.data, 'application/octet-stream', secrets);
            await postJson('message/send', sendUrl, { ...base, msgtype: type, [type]: { media_id: mediaId } }, secrets);
            return;
          }
        }
      });
    },
  };
}
