import type { RequestListener } from 'node:http';
import type Koa from 'koa';
import type { Connection } from 'mongoose';
import request from 'supertest';
import { loadConfig, type Config } from '../../src/config';
import { createApp } from '../../src/http/app';
import { silentLogger, type Logger } from '../../src/log';
import {
  buildCallback,
  decodeReply,
  type CallbackFields,
  type DecodedReply,
  type WeComCredentials,
} from '../../src/sim/callback-builder';
import { groupModel } from '../../src/db/models/group';
import { groupRecords, type MessageHandler } from '../../src/services/group-records';
import { createWeComRouter } from '../../src/wecom/ingress/router';
import type { Channel } from '../../src/wecom/message';
import type { Outbox, PushRequest } from '../../src/wecom/outbox';

export * from '../../src/sim/callback-builder';

/**
 * WeCom's published sample values (WXBizMsgCrypt samples, see ../shared/WECOM.md): a URL
 * verification signed with this Token and EncodingAESKey for this CorpID.
 */
export const SAMPLE = {
  token: 'QDG6eK',
  encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  corpId: 'wx5823bf96d3bd56c7',
  msgSignature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3',
  timestamp: '1409659589',
  nonce: '263014780',
  echostr: 'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==',
  echo: '1616140317555161061',
} as const;

/** The sample credentials; every test app is configured with them. */
export const TEST_CREDS: WeComCredentials = { token: SAMPLE.token, encodingAesKey: SAMPLE.encodingAesKey, corpId: SAMPLE.corpId };

/**
 * A Config in WeCom mode with the sample credentials, plus `env`. The reply budget is generous
 * (3 s) so that a loaded test machine never turns an answer into an acknowledgement; tests of
 * slow answers set REPLY_BUDGET_MS low themselves. WECOM_API_BASE is WeCom's own (the origin
 * webhook URLs and response_urls are checked against); tests that send through a real client
 * point it at their webhook sink. EMBEDDED_DB=allow: tests run on the embedded database.
 */
export function testConfig(env: NodeJS.ProcessEnv = {}): Config {
  return loadConfig({
    WECOM_TOKEN: TEST_CREDS.token,
    WECOM_ENCODING_AES_KEY: TEST_CREDS.encodingAesKey,
    WECOM_CORP_ID: TEST_CREDS.corpId,
    WECOM_API_BASE: 'https://qyapi.weixin.qq.com',
    EMBEDDED_DB: 'allow',
    REPLY_BUDGET_MS: '3000',
    SCHEDULER: 'off',
    LOG_LEVEL: 'silent',
    ...env,
  });
}

/**
 * An outbox that records what it is given (with the real one's dedupe-key semantics), and
 * hands it on to `forward` (a real outbox) when one is given.
 */
export function recordingOutbox(forward?: Pick<Outbox, 'enqueue'>): Pick<Outbox, 'enqueue'> & { requests: PushRequest[] } {
  const requests: PushRequest[] = [];
  return {
    requests,
    async enqueue(req) {
      if (requests.some((r) => r.dedupeKey === req.dedupeKey)) return 'duplicate';
      requests.push(req);
      return forward ? forward.enqueue(req) : 'queued';
    },
  };
}

export interface TestAppOptions {
  conn: Connection;
  handle: MessageHandler;
  outbox?: Pick<Outbox, 'enqueue'>;
  now?: () => Date;
  config?: Config;
  log?: Logger;
  leaseMs?: number;
  answerDeadlineMs?: number;
  afterReply?: (msg: import('../../src/wecom/message').IncomingMessage) => void;
}

/** The real Koa app with the WeCom router, never listening; drive it with `app.callback()`. */
export function createTestApp(opts: TestAppOptions): { app: Koa; outbox: Pick<Outbox, 'enqueue'> } {
  const outbox = opts.outbox ?? recordingOutbox();
  const log = opts.log ?? silentLogger;
  const router = createWeComRouter({
    config: opts.config ?? testConfig(),
    log,
    conn: opts.conn,
    // The groups' model compiled on first use, after the dedupe's: these apps sync no indexes,
    // and the claims' unique index is to be built before a first message is claimed.
    groups: groupRecords({
      get Group() {
        return groupModel(opts.conn);
      },
    }),
    handle: opts.handle,
    outbox,
    now: opts.now,
    leaseMs: opts.leaseMs,
    // A loaded test machine can take over a second to defer a slow answer; the 系统繁忙
    // deadline is tested on its own (test/fault/db-down.test.ts), not in every command test.
    answerDeadlineMs: opts.answerDeadlineMs ?? 10_000,
    afterReply: opts.afterReply,
  });
  const app = createApp({ log, engine: 'test', pingDb: async () => {}, routers: [router] });
  return { app, outbox };
}

type AppLike = Koa | RequestListener;
const listener = (app: AppLike): RequestListener => ('callback' in app ? app.callback() : app);

/** POSTs a built callback to the app; returns the HTTP status and the raw body. */
export async function postCallback(app: AppLike, cb: { url: string; body: string; contentType: string }) {
  const res = await request(listener(app)).post(cb.url).set('Content-Type', cb.contentType).send(cb.body);
  return { status: res.status, body: res.text };
}

export interface SendTextOptions extends Omit<CallbackFields, 'text' | 'chat'> {
  text: string;
  chat?: string;
  creds?: WeComCredentials;
  /** The clock the callback is signed with (the app's `now`); default the real one. */
  now?: Date;
  /** Poll an unfinished intelligent-robot stream like WeCom does (default true). */
  followStream?: boolean;
}

/**
 * Sends one text message the way WeCom would (default channel: the intelligent robot) and
 * decodes the passive reply; an unfinished stream is polled with refresh callbacks until it
 * finishes. `replyText` is '' for an acknowledgement without an answer.
 */
export async function sendText(app: AppLike, opts: SendTextOptions): Promise<{ status: number; replyText: string; reply?: DecodedReply }> {
  const { creds = TEST_CREDS, now, followStream = true, ...fields } = opts;
  const channel: Channel = fields.channel ?? 'aibot';
  const timestamp = Math.floor((now ?? new Date()).getTime() / 1000);
  const res = await postCallback(app, buildCallback(creds, fields, { timestamp }));
  if (res.status !== 200) return { status: res.status, replyText: '' };
  let reply = decodeReply(creds, channel, res.body, { json: fields.json });
  for (let polls = 0; followStream && reply.kind === 'stream' && !reply.finished && polls < 20; polls++) {
    const refresh = buildCallback(creds, { channel, user: fields.user, chat: fields.chat, streamRefresh: reply.streamId }, { timestamp });
    const next = await postCallback(app, refresh);
    if (next.status !== 200) return { status: next.status, replyText: '' };
    reply = decodeReply(creds, channel, next.body);
  }
  return { status: 200, replyText: reply.text, reply };
}
