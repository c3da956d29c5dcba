import Router from '@koa/router';
import type { Context } from 'koa';
import type { Connection } from 'mongoose';
import { ANSWER_DEADLINE_MS, type Config } from '../../config';
import { SYSTEM_BUSY_TEXT } from '../../errors';
import type { Logger } from '../../log';
import { createDedupe } from '../dedupe';
import type { Channel, IncomingMessage, MessageHandler, Reply } from '../message';
import { apiOrigin, isWeComApiUrl, isWeComMediaUrl, originForLog } from '../origin';
import type { Outbox, PushPayload, PushRequest, PushTarget } from '../outbox';
import { PUSHED_TEXT, markdownToText, renderPassive, splitReply, type PassiveContent, type PassiveContext } from '../passive-reply';
import { createAnswerer, streamIdFor, type Delivery, type Outcome } from './answer';
import {
  CallbackRejected,
  extractCiphertext,
  openCiphertext,
  readBody,
  readQuery,
  type CallbackKeys,
  type CallbackQuery,
} from './open-callback';
import { parseAibot } from './parse-aibot';
import { parseApp } from './parse-app';
import { parseBot } from './parse-bot';
import type { ParsedCallback } from './parsed-callback';
import type { GroupRecords } from './record-group';

export interface WeComRouterDeps<G> {
  config: Config;
  log: Logger;
  conn: Connection;
  /** Where the groups the ingress hears from are recorded (one write per group message). */
  groups: GroupRecords<G>;
  handle: MessageHandler<G>;
  outbox: Pick<Outbox, 'enqueue'>;
  now?: () => Date;
  /** How long a claim is kept without renewal before a retry may take it over (default 30 s). */
  leaseMs?: number;
  /**
   * The latest a verified message is answered, whatever the database does (default: the
   * reply budget plus 1 s, at most ANSWER_DEADLINE_MS).
   */
  answerDeadlineMs?: number;
  /**
   * Called once a delivery of a message has been answered (on the next turn of the event
   * loop, so it never delays the answer): the photo intake downloads pictures here.
   */
  afterReply?: (msg: IncomingMessage) => void;
}

/** Where each channel's callbacks arrive. */
export const WECOM_PATHS: Record<Channel, string> = { aibot: '/wecom/aibot', bot: '/wecom/bot', app: '/wecom/app' };

const CHANNELS: Channel[] = ['aibot', 'bot', 'app'];
const ABANDONED_TEXT = '处理中断，请重新发送。';

export { ANSWER_DEADLINE_MS };
/**
 * The database failed or did not answer before the message was claimed: it was not run,
 * and will not be (a claim that lands later is left alone). WeCom does not retry a 200, so
 * the user is asked to send it again.
 */
export const BUSY_NOT_RUN_TEXT = `${SYSTEM_BUSY_TEXT}。这条消息没有处理，请稍后重新发送。`;
/** The message was claimed, but its answer could not be had in time: it may yet be recorded. */
export const BUSY_UNSURE_TEXT = `${SYSTEM_BUSY_TEXT}。这条消息可能已经处理，重发前请先查看是否已记录。`;

/** Resolves to the work's result, or to 'late' once `ms` have passed; a rejection stays a rejection. */
function withDeadline<T>(ms: number, work: Promise<T>): Promise<T | 'late'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/**
 * The WeCom callback endpoints: GET answers URL verification, POST takes messages. Each
 * POST is verified on its ciphertext, decrypted, parsed into an IncomingMessage, claimed
 * once, handed to `handle`, and answered passively within `config.replyBudgetMs`, or
 * acknowledged, with the answer following through the outbox.
 */
export function createWeComRouter<G>(deps: WeComRouterDeps<G>): Router {
  const { config, log, conn, outbox } = deps;
  const now = deps.now ?? (() => new Date());
  const leaseMs = deps.leaseMs ?? 30_000;
  const answerDeadlineMs = deps.answerDeadlineMs ?? Math.min(config.replyBudgetMs + 1000, ANSWER_DEADLINE_MS);
  const dedupe = createDedupe({ conn, now, leaseMs });
  const answerer = createAnswerer({
    dedupe,
    log,
    handle: (msg) => deps.handle(msg, recorded.has(msg) ? { group: recorded.get(msg) } : undefined),
    budgetMs: config.replyBudgetMs,
    now,
    leaseMs,
    pushLate: async (msg, key, reply) => {
      await push(msg, `reply:${key}`, { content: reply.markdown, mentions: reply.mentions });
    },
  });
  const keysFor = (channel: Channel): CallbackKeys => ({
    token: config.wecom.token,
    encodingAesKey: config.wecom.encodingAesKey,
    // path/91144: apps encrypt with the CorpID; robots with "" (path/101033, path/99399).
    receiveId: channel === 'app' ? config.wecom.corpId : '',
  });

  /** The group each message's delivery recorded: handed to the handler, and a late push reads no more. */
  const recorded = new WeakMap<IncomingMessage, G | null>();

  async function targetFor(msg: IncomingMessage): Promise<PushTarget | null> {
    if (msg.channel === 'app') return { kind: 'app', toUser: msg.sender.userId };
    if (msg.channel === 'aibot') return msg.responseUrl ? { kind: 'response_url', url: msg.responseUrl } : null;
    const url = msg.webhookUrl ?? (await deps.groups.webhookOf(msg.chatId, recorded.get(msg)));
    return url ? { kind: 'webhook', url } : null;
  }

  function payloadFor(channel: Channel, part: { content: string; mentions?: string[] }): PushPayload {
    if (channel === 'app') return { type: 'text', content: markdownToText(part.content) };
    return { type: 'markdown', content: part.content, mentions: channel === 'bot' ? part.mentions : undefined };
  }

  async function push(msg: IncomingMessage, dedupeKey: string, part: { content: string; mentions?: string[] }) {
    const target = await targetFor(msg);
    if (!target) {
      log.warn({ channel: msg.channel, chatId: msg.chatId, dedupeKey }, 'an answer cannot be pushed: no webhook or response_url for this chat — bind the group with /绑定 … webhook=');
      return;
    }
    const req: PushRequest = { dedupeKey, target, payload: payloadFor(msg.channel, part) };
    await outbox.enqueue(req);
  }

  /** Sends the passive part of a reply and queues what does not fit. */
  async function sendReply(ctx: Context, pc: PassiveContext, reply: Reply, rest: (content: { content: string; mentions?: string[] }) => Promise<void>, welcome = false) {
    const split = splitReply(pc.channel, reply);
    if (split.rest) await rest(split.rest).catch((err: unknown) => log.error({ err }, 'could not queue the rest of a long answer'));
    const content: PassiveContent = welcome ? { type: 'welcome', content: markdownToText(split.passive) } : { type: 'answer', content: split.passive };
    send(ctx, pc, content);
  }

  function send(ctx: Context, pc: PassiveContext, content: PassiveContent) {
    const out = renderPassive(pc, content);
    ctx.status = 200;
    ctx.type = out.type;
    ctx.body = out.body;
  }

  function empty(ctx: Context) {
    ctx.status = 200;
    ctx.body = '';
  }

  async function respond(ctx: Context, pc: PassiveContext, msg: IncomingMessage, key: string, outcome: Outcome) {
    if (outcome.kind === 'deferred') {
      if (outcome.how === 'stream') send(ctx, pc, { type: 'pending' });
      else empty(ctx);
      return;
    }
    if (!outcome.reply) return empty(ctx);
    await sendReply(ctx, pc, outcome.reply, (part) => push(msg, `reply:${key}:rest`, part), pc.channel === 'aibot' && msg.kind === 'event');
  }

  async function onStreamRefresh(ctx: Context, pc: PassiveContext, streamId: string) {
    const state = await answerer.streamState(streamId);
    if (state.kind === 'pending') return send(ctx, pc, { type: 'pending' });
    if (state.kind === 'unknown') return send(ctx, pc, { type: 'answer', content: '' });
    if (state.kind === 'abandoned') return send(ctx, pc, { type: 'answer', content: ABANDONED_TEXT });
    if (state.pushed) return send(ctx, pc, { type: 'answer', content: PUSHED_TEXT });
    if (!state.reply) return send(ctx, pc, { type: 'answer', content: '' });
    const responseUrl = state.responseUrl;
    await sendReply(ctx, pc, state.reply, async (part) => {
      if (!responseUrl) return;
      await outbox.enqueue({ dedupeKey: `reply:${state.key}:rest`, target: { kind: 'response_url', url: responseUrl }, payload: payloadFor('aibot', part) });
    });
  }

  function reject(ctx: Context, channel: Channel, err: unknown): void {
    if (!(err instanceof CallbackRejected)) throw err;
    log.warn({ channel, status: err.status, path: ctx.path }, err.message);
    ctx.status = err.status;
    ctx.body = '';
  }

  /**
   * A WebhookUrl (group robot) or response_url (intelligent robot) off WeCom's API origin is
   * dropped where it enters: not stored, never pushed to. The message is still answered.
   */
  function withoutForeignUrls(msg: IncomingMessage): IncomingMessage {
    const out = { ...msg };
    for (const field of ['webhookUrl', 'responseUrl'] as const) {
      const url = msg[field];
      if (url === undefined || isWeComApiUrl(url, config.wecom.apiBase)) continue;
      delete out[field];
      log.warn(
        { channel: msg.channel, chatId: msg.chatId, msgId: msg.msgId, origin: originForLog(url) },
        `callback's ${field === 'webhookUrl' ? 'WebhookUrl' : 'response_url'} is on ${originForLog(url)}, not WeCom's API origin ${apiOrigin(config.wecom.apiBase)} (WECOM_API_BASE): ignored, nothing is sent there`,
      );
    }
    if (msg.images) {
      out.images = msg.images.filter((image) => {
        if (isWeComMediaUrl(image.url, config.wecom.apiBase)) return true;
        log.warn(
          { channel: msg.channel, chatId: msg.chatId, msgId: msg.msgId, origin: originForLog(image.url) },
          `a picture's link is on ${originForLog(image.url)}, neither WeCom's API origin nor one of its media hosts: ignored, nothing is fetched from there`,
        );
        return false;
      });
      const dropped = msg.images.length - out.images.length;
      if (dropped) out.foreignImages = dropped;
    }
    return out;
  }

  function parse(channel: Channel, plaintext: string, format: 'xml' | 'json'): ParsedCallback {
    if (channel === 'aibot') return parseAibot(plaintext, now());
    if (channel === 'bot') return parseBot(plaintext, format, now());
    return parseApp(plaintext);
  }

  const router = new Router();
  for (const channel of CHANNELS) {
    // URL verification (path/101033 验证URL有效性, path/91144): answer the decrypted echostr
    // as plain text, without quotes, BOM or newline.
    router.get(WECOM_PATHS[channel], (ctx) => {
      try {
        const query = readQuery(ctx.query);
        const echostr = typeof ctx.query.echostr === 'string' ? ctx.query.echostr.replaceAll(' ', '+') : '';
        if (!echostr) throw new CallbackRejected(400, 'URL verification without echostr');
        const plain = openCiphertext(keysFor(channel), query, echostr, now());
        ctx.type = 'text/plain';
        ctx.body = plain;
        log.info({ channel }, 'WeCom URL verification answered');
      } catch (err) {
        reject(ctx, channel, err);
      }
    });

    router.post(WECOM_PATHS[channel], async (ctx) => {
      const format = channel === 'aibot' || (channel === 'bot' && ctx.query.robot_callback_format === 'json') ? 'json' : 'xml';
      let query: CallbackQuery;
      let parsed: ParsedCallback;
      try {
        query = readQuery(ctx.query);
        const ciphertext = extractCiphertext(await readBody(ctx.req), format);
        parsed = parse(channel, openCiphertext(keysFor(channel), query, ciphertext, now()), format);
      } catch (err) {
        return reject(ctx, channel, err);
      }
      const pc: PassiveContext = { channel, format, keys: keysFor(channel), nonce: query.nonce, now: now(), corpId: config.wecom.corpId };
      if (parsed.kind === 'ignored') {
        log.debug({ channel, what: parsed.what }, 'callback ignored');
        return empty(ctx);
      }
      if (parsed.kind === 'stream-refresh') {
        // The database down or slow: WeCom polls again (for up to 6 minutes, path/100719).
        const refreshed = await withDeadline(answerDeadlineMs, onStreamRefresh(ctx, { ...pc, streamId: parsed.streamId }, parsed.streamId)).catch((err: unknown) => {
          log.error({ err, channel }, 'stream refresh failed — is MongoDB reachable?');
          return 'late' as const;
        });
        if (refreshed === 'late') send(ctx, { ...pc, streamId: parsed.streamId }, { type: 'pending' });
        return;
      }

      const msg = withoutForeignUrls(parsed.message);
      const key = `${channel}:${msg.msgId}`;
      const msgPc: PassiveContext = { ...pc, streamId: streamIdFor(key), toUser: msg.sender.userId };
      const delivery: Delivery = { claimed: false, abandoned: false };
      const answered = withDeadline(
        answerDeadlineMs,
        (async () => {
          recorded.set(msg, await deps.groups.record(msg, now()));
          return answerer.answer(msg, key, delivery);
        })(),
      );
      const outcome = await answered.catch((err: unknown) => {
        log.error({ err, channel, msgId: msg.msgId }, 'could not claim or answer a message — is MongoDB reachable?');
        return 'late' as const;
      });
      if (outcome === 'late') {
        // Answer with a 200 all the same, or WeCom would retry into the same trouble.
        delivery.abandoned = true;
        log.warn({ channel, msgId: msg.msgId, claimed: delivery.claimed }, 'no answer within the deadline; answered 系统繁忙');
        return send(ctx, msgPc, { type: 'answer', content: delivery.claimed ? BUSY_UNSURE_TEXT : BUSY_NOT_RUN_TEXT });
      }
      log.info({ channel, msgId: msg.msgId, chatId: msg.chatId, outcome: outcome.kind }, 'callback answered');
      await respond(ctx, msgPc, msg, key, outcome);
      const after = deps.afterReply;
      if (after) setImmediate(() => after(msg));
    });
  }
  return router;
}
