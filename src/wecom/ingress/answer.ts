import { createHash } from 'node:crypto';
import { SYSTEM_BUSY_TEXT, UserError } from '../../errors';
import type { Logger } from '../../log';
import type { ClaimRecord, Dedupe } from '../dedupe';
import type { Attachment, IncomingMessage, Known, MessageHandler, Reply } from '../message';
import { PUSHED_TEXT } from '../passive-reply';
import { WELCOME } from './record-group';

/** How a delivery of a message is answered. */
export type Outcome =
  /** Answer passively (null: nothing to say, empty 200). */
  | { kind: 'reply'; reply: Reply | null }
  /** The budget ran out: acknowledge now; the answer follows by push or by stream refresh. */
  | { kind: 'deferred'; how: 'push' | 'stream' };

/** Where a stream stands when WeCom polls it. */
export type StreamState =
  | { kind: 'unknown' }
  | { kind: 'pending' }
  | { kind: 'done'; key: string; reply: Reply | null; pushed: boolean; responseUrl?: string }
  /** Its owner died and nothing can finish it. */
  | { kind: 'abandoned' };

export interface AnswererDeps {
  dedupe: Dedupe;
  log: Logger;
  handle: MessageHandler;
  budgetMs: number;
  now: () => Date;
  leaseMs: number;
  /** How often a waiting delivery looks at a claim another process owns. */
  pollMs?: number;
  /** Delivers an answer that came after its callback was acknowledged. */
  pushLate: (msg: IncomingMessage, key: string, reply: Reply) => Promise<void>;
}

/**
 * WeCom keeps polling an unfinished stream for 6 minutes from the user's message
 * (path/100719); an answer later than this goes to the response_url instead.
 */
const STREAM_WINDOW_MS = 5.5 * 60_000;

/** The same words as the command dispatcher's, for errors that escape it. */
export const SYSTEM_BUSY: Reply = { markdown: SYSTEM_BUSY_TEXT };

/**
 * One delivery's progress, shared with the router's deadline: `claimed` once the claim is
 * known to be stored (this delivery or an earlier one may run the handler); `abandoned`
 * once the router has answered without waiting any longer (a claim that lands after that
 * does not start the handler: the user was told the message was not processed).
 */
export interface Delivery {
  claimed: boolean;
  abandoned: boolean;
}

/** The stream id of a message's passive answer: derived, so every process agrees on it. */
export function streamIdFor(key: string): string {
  return 'lyt' + createHash('sha1').update(key).digest('hex').slice(0, 24);
}

/** The reply as it goes out and is stored for retries, and what the handler attached to it (stored apart). */
function withoutAttach(result: Reply | null): { reply: Reply | null; attach?: Attachment } {
  if (!result?.attach) return { reply: result };
  const { attach, ...reply } = result;
  return { reply, attach };
}

/**
 * Exactly-once answering. The first delivery of a msgId claims it and runs the handler;
 * every delivery (the first, and WeCom's retries, in any process) then waits for the stored
 * answer until its budget runs out, and acknowledges instead when it does.
 */
export function createAnswerer(deps: AnswererDeps) {
  const { dedupe, log, now } = deps;
  const pollMs = deps.pollMs ?? 100;
  const watchMs = Math.max(pollMs, Math.min(1000, deps.leaseMs / 10));
  const sleepFor = (key: string, deadline: number) => dedupe.changed(key, Math.max(0, Math.min(deadline - Date.now(), pollMs)));

  async function run(msg: IncomingMessage, known?: Known): Promise<Reply | null> {
    if (msg.kind === 'event') return msg.event === 'added' || msg.event === 'enter' ? WELCOME : null;
    try {
      return await deps.handle(msg, known);
    } catch (err) {
      if (err instanceof UserError) {
        return { markdown: [err.message, ...(err.usage ?? []).map((u) => `\`${u}\``)].join('\n') };
      }
      log.error({ err, msgId: msg.msgId, channel: msg.channel }, 'message handler failed');
      return SYSTEM_BUSY;
    }
  }

  /**
   * Claims whose handler runs in this process, each with its claim as this process stored it
   * when done (null when it was taken over, or could not be stored): deliveries here answer
   * from it, without reading it back; the stored answer serves deliveries elsewhere.
   */
  const runningHere = new Map<string, Promise<ClaimRecord | null>>();
  /** Deferred claims this process watches. */
  const watching = new Set<string>();

  function start(msg: IncomingMessage, key: string, known?: Known): void {
    const heartbeat = setInterval(() => void dedupe.renew(key).catch(() => {}), Math.max(1000, deps.leaseMs / 3));
    heartbeat.unref();
    const done = (async (): Promise<ClaimRecord | null> => {
      const { reply, attach } = withoutAttach(await run(msg, known));
      clearInterval(heartbeat);
      const cutoff = msg.channel === 'aibot' ? new Date(now().getTime() - STREAM_WINDOW_MS) : undefined;
      const finished = await dedupe.finish(key, reply, cutoff, attach);
      if (!finished) {
        log.warn({ key }, 'claim was taken over while the handler ran; its answer is dropped');
        return null;
      }
      if (finished.pushed && reply) {
        await deps.pushLate(msg, key, reply).catch((err: unknown) => log.error({ err, key }, 'could not push an answer'));
      }
      const { before } = finished;
      const pushedAt = finished.pushed && before.deferred !== 'push' ? now() : before.pushedAt;
      return { ...before, status: 'done', reply, ...(pushedAt ? { pushedAt } : {}) };
    })()
      .catch((err: unknown) => {
        log.error({ err, key }, 'could not store or push an answer');
        return null;
      })
      .finally(() => runningHere.delete(key));
    runningHere.set(key, done);
  }

  /** The local run's record once done, or 'late' at the deadline. */
  function localDone(done: Promise<ClaimRecord | null>, deadline: number): Promise<ClaimRecord | null | 'late'> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), Math.max(0, deadline - Date.now()));
    });
    return Promise.race([done, late]).finally(() => clearTimeout(timer));
  }

  /**
   * A delivery acknowledged with an empty 200 (the answer to follow by push) while another
   * process runs the message: should that process die, WeCom will not send the message again
   * and nobody would run it. So the acknowledging process watches the claim until it is done,
   * and takes it over once its lease runs out. (A stream needs no watcher: WeCom's refresh
   * callbacks find an abandoned claim and tell the user to send again.)
   */
  function watch(msg: IncomingMessage, key: string): void {
    if (runningHere.has(key) || watching.has(key)) return;
    watching.add(key);
    void (async () => {
      for (;;) {
        const rec = await dedupe.get(key);
        if (!rec || rec.status === 'done') return;
        if (rec.leaseUntil < now() && (await dedupe.takeOver(key))) {
          log.warn({ key }, 'took over an acknowledged claim whose process stopped renewing it');
          return start(msg, key);
        }
        await new Promise<void>((resolve) => setTimeout(resolve, watchMs).unref());
      }
    })()
      .catch((err: unknown) => log.warn({ err, key }, 'stopped watching an acknowledged claim'))
      .finally(() => watching.delete(key));
  }

  function outcomeOf(rec: ClaimRecord): Outcome | null {
    if (rec.status === 'done') {
      // A finished stream is simply the answer; a pushed answer was acknowledged before.
      if (rec.deferred === 'push') return { kind: 'deferred', how: 'push' };
      if (rec.pushedAt) return { kind: 'reply', reply: { markdown: PUSHED_TEXT } };
      return { kind: 'reply', reply: rec.reply ?? null };
    }
    if (rec.deferred) return { kind: 'deferred', how: rec.deferred };
    return null;
  }

  return {
    /** Answers one delivery of `msg` (claim key `key`) within the budget; `known`: what the ingress read for it. */
    async answer(msg: IncomingMessage, key: string, delivery: Delivery = { claimed: false, abandoned: false }, known?: Known): Promise<Outcome> {
      const deadline = Date.now() + deps.budgetMs;
      const who = { chatId: msg.chatId, userId: msg.sender.userId };
      const fields = msg.channel === 'aibot' ? { ...who, streamId: streamIdFor(key), responseUrl: msg.responseUrl } : who;
      const owned = await dedupe.claim(key, fields);
      if (delivery.abandoned) {
        if (owned) log.warn({ key }, 'claim stored after its callback was answered 系统繁忙; the message is not run');
        return { kind: 'reply', reply: null };
      }
      delivery.claimed = true;
      if (owned) start(msg, key, known);
      for (;;) {
        if (delivery.abandoned) return { kind: 'reply', reply: null };
        const mine = runningHere.get(key);
        if (mine) {
          // Run here: answer from memory (the claim as this process just stored it).
          const done = await localDone(mine, deadline);
          if (delivery.abandoned) return { kind: 'reply', reply: null };
          if (done === 'late') {
            const how = msg.channel === 'aibot' ? 'stream' : 'push';
            if (await dedupe.defer(key, how)) return { kind: 'deferred', how };
            // Done meanwhile: its answer is moments away.
            const rec = await mine;
            if (rec) return outcomeOf(rec) ?? { kind: 'reply', reply: rec.reply ?? null };
            continue;
          }
          if (done) return outcomeOf(done) ?? { kind: 'reply', reply: done.reply ?? null };
          continue; // taken over, or not stored: the database says what happened
        }
        const rec = await dedupe.get(key);
        if (!rec) throw new Error(`claim ${key} disappeared`);
        const outcome = outcomeOf(rec);
        if (outcome) {
          if (outcome.kind === 'deferred' && outcome.how === 'push' && rec.status === 'running') watch(msg, key);
          return outcome;
        }
        if (rec.leaseUntil < now() && (await dedupe.takeOver(key))) {
          log.warn({ key }, 'took over a claim whose process stopped renewing it');
          start(msg, key);
        }
        if (Date.now() >= deadline) {
          const how = msg.channel === 'aibot' ? 'stream' : 'push';
          if (await dedupe.defer(key, how)) {
            if (how === 'push') watch(msg, key);
            return { kind: 'deferred', how };
          }
          continue;
        }
        await sleepFor(key, deadline);
      }
    },

    /** Waits (within the budget) for the answer behind an intelligent-robot stream. */
    async streamState(streamId: string): Promise<StreamState> {
      const deadline = Date.now() + deps.budgetMs;
      for (;;) {
        const rec = await dedupe.byStream(streamId);
        if (!rec) return { kind: 'unknown' };
        if (rec.status === 'done') return { kind: 'done', key: rec.key, reply: rec.reply ?? null, pushed: Boolean(rec.pushedAt), responseUrl: rec.responseUrl ?? undefined };
        if (rec.leaseUntil < now()) return { kind: 'abandoned' };
        if (Date.now() >= deadline) return { kind: 'pending' };
        await sleepFor(rec.key, deadline);
      }
    },
  };
}

export type Answerer = ReturnType<typeof createAnswerer>;
