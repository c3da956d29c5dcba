import { randomUUID } from 'node:crypto';
import type mongoose from 'mongoose';
import { z } from 'zod';
import { isDuplicateKey } from '../db/duplicate-key';
import { outboxItemModel, type OutboxItem } from '../db/models/outbox-item';
import { outboxLaneModel, type OutboxLane } from '../db/models/outbox-lane';
import { OutboundRefusedError, WeComApiError, WeComNetworkError } from '../errors';
import type { Logger } from '../log';
import { maskSecret, maskWebhookUrl, webhookKey, withMentions, type WeComClient, type WeComMessage } from './client';
import { CONTENT_LIMITS, splitByBytes, truncateToBytes } from '../text/split';

export type PushTarget =
  /** Group robot: …/cgi-bin/webhook/send?key=KEY on WECOM_API_BASE's origin, or the bare key. */
  | { kind: 'webhook'; url: string }
  /** Intelligent robot: one later answer, within 1 hour. */
  | { kind: 'response_url'; url: string }
  /** Self-built app message to one user. */
  | { kind: 'app'; toUser: string };

/**
 * markdown: mentions appended as `<@userid>`; text: mentions in mentioned_list; image: base64 +
 * md5 by the client; file: upload_media, then send media_id.
 */
export type PushPayload = WeComMessage;

export interface PushRequest {
  /** Unique; a second enqueue with the same key is a no-op ('duplicate'). E.g. `reply:<msgId>`, `weekly-ranking:2020-09-28T01:00Z:<chatId>:1`. */
  dedupeKey: string;
  target: PushTarget;
  payload: PushPayload;
  /** Not before this instant (quiet hours etc.); default now. */
  notBefore?: Date;
}

export interface Outbox {
  enqueue(req: PushRequest): Promise<'queued' | 'duplicate'>;
  enqueueMany(reqs: PushRequest[]): Promise<void>;
  /**
   * Sends what is due at now() and resolves when the lanes it started are done; returns
   * counts. Tests drive it with a fake clock.
   */
  runDue(): Promise<{ sent: number; retried: number; dead: number }>;
  /**
   * A timer loop that every pollMs starts the due lanes not already under way, without
   * waiting for the ones still sending: a robot that hangs holds up its own lane only.
   */
  start(): void;
  /** Stops the loop and waits for the run under way; runDue does nothing afterwards. */
  stop(): Promise<void>;
}

export interface OutboxDeps {
  conn: mongoose.Connection;
  client: WeComClient;
  log: Logger;
  now?: () => Date;
  /** Pushes per robot (webhook key) in any minute, across all processes. Default 20 (path/99110). */
  perMinute?: number;
  /** Attempts before a push is given up ('dead'). Default 8. */
  maxAttempts?: number;
  /** How long a lane stays claimed without a renewal (a crashed holder's lanes free up after it). Default 60 s. */
  leaseMs?: number;
  /** Interval of the start() loop. Default 1 s. */
  pollMs?: number;
  /**
   * Lanes this process sends to at once. Default 16: that many robots may hang (each until
   * the client's request timeout) before a push to another robot has to wait for a slot.
   */
  concurrency?: number;
  /** For the backoff jitter; tests may fix it. */
  random?: () => number;
  /**
   * Told when a group robot is retired (WeCom says it is gone, or its URL is off WeCom's
   * origin), with its URL and key: the runtime flags the groups pushing to it
   * (src/services/webhooks.ts). Absent: only logged.
   */
  onWebhookRetired?: (url: string, key: string, at: Date) => Promise<void>;
}

type Counts = { sent: number; retried: number; dead: number };

/**
 * The pace window. WeCom allows 20 pushes a minute per robot; one second more than a minute
 * absorbs the delay between our reservation and WeCom's receipt.
 */
export const PACE_WINDOW_MS = 61_000;
const BACKOFF_BASE_MS = 5_000;
const BACKOFF_MAX_MS = 15 * 60_000;
/** Transient refusals, worth another try (path/90313: -1 busy; 45009 rate limit; 45033 too many concurrent). */
const RETRY_ERRCODES = new Set([-1, 45009, 45033]);
/** The robot is gone: invalid webhook / removed (93000), disabled (93004), not in the group (93008). */
const RETIRE_ERRCODES = new Set([93000, 93004, 93008]);
const OPEN: Array<'pending' | 'sending'> = ['pending', 'sending'];
const TRUNCATED_NOTE = '\n\n……（内容过长，已截断）';

let seqCounter = 0;

// ── validation ──
const buffer = z.custom<Buffer>((v) => Buffer.isBuffer(v), 'must be a Buffer');
const mentions = z.array(z.string().min(1)).optional();
const requestSchema = z
  .object({
    dedupeKey: z.string().min(1).max(512),
    target: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('webhook'), url: z.string().min(1) }),
      z.object({ kind: z.literal('response_url'), url: z.url() }),
      z.object({ kind: z.literal('app'), toUser: z.string().min(1) }),
    ]),
    payload: z.discriminatedUnion('type', [
      z.object({ type: z.literal('markdown'), content: z.string().min(1), mentions }),
      z.object({ type: z.literal('text'), content: z.string().min(1), mentions }),
      // path/99110: images ≤ 2 MB; files 5 B – 20 MB, but a MongoDB document holds 16 MB.
      z.object({ type: z.literal('image'), png: buffer.refine((b) => b.length > 0 && b.length <= 2 * 1024 * 1024, 'image must be 1 B – 2 MB') }),
      z.object({
        type: z.literal('file'),
        filename: z.string().min(1),
        data: buffer.refine((b) => b.length >= 5 && b.length <= 15 * 1024 * 1024, 'file must be 5 B – 15 MB'),
      }),
    ]),
    notBefore: z.date().optional(),
  })
  .refine((r) => r.target.kind !== 'response_url' || r.payload.type === 'markdown' || r.payload.type === 'text', {
    message: 'a response_url takes markdown or text only',
  });

function laneOf(target: PushTarget): string {
  switch (target.kind) {
    case 'webhook':
      return `webhook:${webhookKey(target.url)}`;
    case 'response_url':
      return `response_url:${target.url}`;
    case 'app':
      return `app:${target.toUser}`;
  }
}

/** A lane as logs may show it (robot key and response code masked). */
function laneLabel(lane: string): string {
  if (lane.startsWith('webhook:')) return `robot key=${maskSecret(lane.slice('webhook:'.length))}`;
  if (lane.startsWith('response_url:')) return `response_url ${maskWebhookUrl(lane.slice('response_url:'.length))}`;
  return `app user ${lane.slice('app:'.length)}`;
}

function maskTarget(target: PushTarget): PushTarget {
  return target.kind === 'app' ? target : { ...target, url: maskWebhookUrl(target.url) };
}

/**
 * The messages one push becomes: markdown over its byte limit is split at line ends into
 * several, text likewise (mentions on the last part); a response_url allows one call, so
 * there it is cut short instead.
 */
export function pushParts(target: PushTarget, payload: PushPayload): WeComMessage[] {
  if (payload.type === 'image' || payload.type === 'file') return [payload];
  if (target.kind === 'response_url') {
    const content = truncateToBytes(withMentions(payload.content, payload.mentions), CONTENT_LIMITS.responseUrl.markdown, TRUNCATED_NOTE);
    return [{ type: 'markdown', content }];
  }
  const limits = target.kind === 'app' ? CONTENT_LIMITS.app : CONTENT_LIMITS.webhook;
  // An app chat is 1:1; mentions mean nothing there.
  const mentioned = target.kind === 'app' ? undefined : payload.mentions;
  if (payload.type === 'markdown') {
    return splitByBytes(withMentions(payload.content, mentioned), limits.markdown).map((content) => ({ type: 'markdown', content }));
  }
  const pieces = splitByBytes(payload.content, limits.text);
  return pieces.map((content, i) => (i === pieces.length - 1 && mentioned ? { type: 'text', content, mentions: mentioned } : { type: 'text', content }));
}

/** A copy as a plain Buffer, whatever the driver handed back (Buffer, MongooseBuffer, BSON Binary). */
function toBuffer(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return Buffer.from(value);
  const binary = value as { buffer?: Uint8Array; length?: () => number } | undefined;
  if (binary?.buffer instanceof Uint8Array) {
    const n = typeof binary.length === 'function' ? binary.length() : binary.buffer.length;
    return Buffer.from(binary.buffer.subarray(0, n));
  }
  throw new Error('outbox payload is missing its bytes');
}

type StoredItem = Pick<OutboxItem, 'target' | 'payload'>;

function targetOf(doc: StoredItem): PushTarget {
  const t = doc.target;
  if (t.kind === 'app') return { kind: 'app', toUser: t.toUser ?? '' };
  return { kind: t.kind, url: t.url ?? '' };
}

function payloadOf(doc: StoredItem): PushPayload {
  const p = doc.payload;
  switch (p.type) {
    case 'markdown':
    case 'text':
      return { type: p.type, content: p.content ?? '', ...(p.mentions?.length ? { mentions: [...p.mentions] } : {}) };
    case 'image':
      return { type: 'image', png: toBuffer(p.png) };
    case 'file':
      return { type: 'file', filename: p.filename ?? 'file', data: toBuffer(p.data) };
  }
}

/** What a WeCom error says, for lastError and logs (the client keeps secrets out of it). */
function describeError(err: unknown): string {
  if (err instanceof WeComApiError) return `${err.errcode} ${err.errmsg} (${err.api})`;
  if (err instanceof Error) return err.message;
  return String(err);
}

/**
 * The persisted, paced outbox. Every push is a document; a sender claims a lane (one robot,
 * one response_url or one app user) with a lease in MongoDB, sends its due pushes in order,
 * reserves each robot send in the lane document so that several processes together keep to
 * `perMinute`, retries transient failures with exponential backoff and jitter, and gives up
 * after `maxAttempts`.
 */
export function createOutbox(deps: OutboxDeps): Outbox {
  const { conn, client, log } = deps;
  const now = deps.now ?? (() => new Date());
  const perMinute = deps.perMinute ?? 20;
  const maxAttempts = deps.maxAttempts ?? 8;
  const leaseMs = deps.leaseMs ?? 60_000;
  const pollMs = deps.pollMs ?? 1_000;
  const concurrency = deps.concurrency ?? 16;
  const random = deps.random ?? Math.random;
  const Item = outboxItemModel(conn);
  const Lane = outboxLaneModel(conn);
  // The unique dedupeKey index must exist before the first insert.
  let ready: Promise<unknown> | null = null;
  const whenReady = () => (ready ??= Promise.all([Item.init(), Lane.init()]));

  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<Counts> | null = null;
  /** Lanes taken by a run of this process (waiting for a slot or sending), with their drain once started. */
  const inFlight = new Map<string, Promise<void> | null>();
  /** Free sending slots, and the runs waiting for one (first come, first served). */
  let freeSlots = concurrency;
  const slotWaiters: Array<() => void> = [];
  const acquireSlot = (): Promise<void> => {
    if (freeSlots > 0) {
      freeSlots--;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => slotWaiters.push(resolve));
  };
  const releaseSlot = () => {
    const next = slotWaiters.shift();
    if (next) next();
    else freeSlots++;
  };
  /** Dispatches run one after the other (each lists the lanes after the previous one took its own). */
  let dispatchChain: Promise<unknown> = Promise.resolve();

  function toDocument(req: PushRequest): Record<string, unknown> {
    const parsed = requestSchema.safeParse(req);
    if (!parsed.success) {
      throw new Error(`invalid push ${req.dedupeKey}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
    const createdAt = now();
    const notBefore = req.notBefore ?? createdAt;
    return {
      dedupeKey: req.dedupeKey,
      target: req.target,
      lane: laneOf(req.target),
      payload: req.payload,
      status: 'pending',
      attempts: 0,
      partsSent: 0,
      notBefore,
      nextAttemptAt: notBefore,
      createdAt,
      seq: seqCounter++,
    };
  }

  function backoffMs(attempt: number, err: unknown): number {
    const exponential = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
    const jittered = Math.round(exponential * (0.5 + random() * 0.5));
    // Rate limited by WeCom (another sender on the same robot?): wait out a whole window.
    return err instanceof WeComApiError && err.errcode === 45009 ? Math.max(jittered, PACE_WINDOW_MS) : jittered;
  }

  /** ms until the robot may send again (0: now), from the send times of the lane. */
  function paceWait(sendTimes: number[], t: number): number {
    const recent = sendTimes.filter((x) => x > t - PACE_WINDOW_MS);
    if (recent.length < perMinute) return 0;
    return recent[recent.length - perMinute]! + PACE_WINDOW_MS - t;
  }

  /**
   * Takes the lane if it is free and not resting (out of quota, or its first push waiting for
   * a retry). One findOneAndUpdate: when the lane exists but is taken, the upsert collides
   * with its _id and nothing is claimed.
   */
  async function claimLane(lane: string, token: string): Promise<OutboxLane | null> {
    const t = now();
    try {
      return await Lane.findOneAndUpdate(
        {
          _id: lane,
          $and: [{ $or: [{ leaseUntil: null }, { leaseUntil: { $lte: t } }] }, { $or: [{ resumeAt: null }, { resumeAt: { $lte: t } }] }],
        },
        { $set: { owner: token, leaseUntil: new Date(t.getTime() + leaseMs) }, $setOnInsert: { sendTimes: [] } },
        { upsert: true, returnDocument: 'after' },
      ).lean<OutboxLane>();
    } catch (err) {
      if (isDuplicateKey(err, { all: true })) return null;
      throw err;
    }
  }

  interface LaneState {
    lane: string;
    token: string;
    paced: boolean;
    sendTimes: number[];
  }

  /**
   * Renews the lane lease and, for a robot, reserves a send at `t`. Conditional on still
   * holding the lane, so a holder whose lease was taken over stops here.
   */
  async function reserve(state: LaneState, t: number): Promise<boolean> {
    const set: Record<string, unknown> = { leaseUntil: new Date(t + leaseMs) };
    const next = state.paced ? [...state.sendTimes.filter((x) => x > t - PACE_WINDOW_MS), t] : state.sendTimes;
    if (state.paced) set.sendTimes = next.map((x) => new Date(x));
    const res = await Lane.updateOne({ _id: state.lane, owner: state.token }, { $set: set });
    if (res.matchedCount === 0) return false;
    state.sendTimes = next;
    return true;
  }

  async function deliver(target: PushTarget, message: WeComMessage): Promise<void> {
    switch (target.kind) {
      case 'webhook':
        return client.sendWebhook(target.url, message);
      case 'response_url':
        return client.postResponseUrl(target.url, message as Extract<WeComMessage, { type: 'markdown' | 'text' }>);
      case 'app':
        return client.sendAppMessage(target.toUser, message);
    }
  }

  /**
   * 93000 and friends, or a webhook URL off WeCom's API origin: every open push to the robot
   * dies at once, and its group is flagged for rebinding.
   */
  async function retireWebhook(state: LaneState, url: string, reason: string, counts: Counts): Promise<void> {
    const t = now();
    const res = await Item.updateMany(
      { lane: state.lane, status: { $in: OPEN } },
      { $set: { status: 'dead', lastError: reason, diedAt: t }, $unset: { lease: 1 } },
    );
    counts.dead += res.modifiedCount;
    await deps.onWebhookRetired?.(url, webhookKey(url), t);
    const why = reason.includes("not WeCom's API origin") ? 'the group robot’s webhook URL is not on WeCom’s API origin, nothing was sent' : 'WeCom says the group robot is gone';
    log.error(
      { lane: laneLabel(state.lane), dropped: res.modifiedCount },
      `${why} (${reason}); ${res.modifiedCount} pending push(es) dropped — an admin must rebind the group with /绑定 and its new 群推送地址`,
    );
  }

  /** After a push: go on with the lane, or stop because another process has taken it over. */
  type Outcome = 'next' | 'lost';

  /** Records a failed attempt: retry later, give up, or retire the robot. */
  async function fail(state: LaneState, item: { _id: unknown; attempts: number; target: PushTarget }, err: unknown, counts: Counts): Promise<Outcome> {
    const reason = describeError(err);
    const t = now();
    const offOrigin = err instanceof OutboundRefusedError && err.why === 'origin';
    if (item.target.kind === 'webhook' && ((err instanceof WeComApiError && RETIRE_ERRCODES.has(err.errcode)) || offOrigin)) {
      await retireWebhook(state, item.target.url, reason, counts);
      return 'next';
    }
    const attempts = item.attempts + 1;
    const retryable = err instanceof WeComNetworkError || (err instanceof WeComApiError && RETRY_ERRCODES.has(err.errcode));
    if (retryable && attempts < maxAttempts) {
      const delay = backoffMs(attempts, err);
      const res = await Item.updateOne(
        { _id: item._id, 'lease.owner': state.token },
        { $set: { status: 'pending', attempts, lastError: reason, nextAttemptAt: new Date(t.getTime() + delay) }, $unset: { lease: 1 } },
      );
      if (res.matchedCount === 0) return 'lost';
      counts.retried++;
      log.warn(
        { lane: laneLabel(state.lane), attempts, delayMs: delay },
        `push failed (attempt ${attempts}/${maxAttempts}), retrying in ${Math.round(delay / 1000)} s: ${reason}`,
      );
      return 'next';
    }
    const res = await Item.updateOne(
      { _id: item._id, 'lease.owner': state.token },
      { $set: { status: 'dead', attempts, lastError: reason, diedAt: t }, $unset: { lease: 1 } },
    );
    if (res.matchedCount === 0) return 'lost';
    counts.dead++;
    log.error(
      { lane: laneLabel(state.lane), attempts },
      retryable
        ? `push given up after ${attempts} attempts: ${reason} — see it with /查询; check that WeCom is reachable`
        : err instanceof OutboundRefusedError
          ? `push not sent, not retried: ${reason}`
          : `push refused by WeCom, not retried: ${reason}`,
    );
    return 'next';
  }

  /** Sends the remaining parts of a claimed push (each part reserved against the robot's quota). */
  async function sendItem(state: LaneState, doc: OutboxItem & { _id: unknown }, counts: Counts): Promise<Outcome> {
    const target = targetOf(doc);
    const parts = pushParts(target, payloadOf(doc));
    const lost = () => {
      log.warn({ lane: laneLabel(state.lane) }, 'another process took over this lane while a push was under way (lease shorter than a send?)');
      return 'lost' as const;
    };
    for (let i = doc.partsSent; i < parts.length; i++) {
      const t = now().getTime();
      if (state.paced && paceWait(state.sendTimes, t) > 0) {
        // Out of quota in the middle of a long push: hand it back; its other parts follow later, in order.
        const res = await Item.updateOne({ _id: doc._id, 'lease.owner': state.token }, { $set: { status: 'pending' }, $unset: { lease: 1 } });
        return res.matchedCount === 0 ? lost() : 'next';
      }
      if (!(await reserve(state, t))) return lost();
      try {
        await deliver(target, parts[i]!);
      } catch (err) {
        const outcome = await fail(state, { _id: doc._id, attempts: doc.attempts, target }, err, counts);
        return outcome === 'lost' ? lost() : outcome;
      }
      doc.attempts = 0;
      const last = i === parts.length - 1;
      const res = await Item.updateOne(
        { _id: doc._id, 'lease.owner': state.token },
        last
          ? { $set: { partsSent: i + 1, attempts: 0, status: 'sent', sentAt: now() }, $unset: { lease: 1 } }
          : { $set: { partsSent: i + 1, attempts: 0 } },
      );
      if (res.matchedCount === 0) return lost();
      if (last) counts.sent++;
    }
    if (doc.partsSent >= parts.length) {
      // Nothing left to send (cannot happen unless the split changed between versions): close it, or the lane would stall.
      await Item.updateOne({ _id: doc._id, 'lease.owner': state.token }, { $set: { status: 'sent', sentAt: now() }, $unset: { lease: 1 } });
    }
    return 'next';
  }

  /**
   * Holds one lane and sends its due pushes in order until it is empty, out of quota, or its
   * first push waits for a retry; then lets it rest until it can go on.
   */
  async function drainLane(lane: string, counts: Counts): Promise<void> {
    const token = randomUUID();
    const claimed = await claimLane(lane, token);
    if (!claimed) return; // another process holds it, or it rests
    const state: LaneState = {
      lane,
      token,
      paced: lane.startsWith('webhook:'),
      sendTimes: (claimed.sendTimes ?? []).map((d) => new Date(d).getTime()),
    };
    let resumeAt: number | null = null;
    try {
      while (!stopped) {
        const t = now().getTime();
        const head = await Item.findOne({ lane, status: { $in: OPEN }, notBefore: { $lte: new Date(t) } })
          .sort({ notBefore: 1, createdAt: 1, seq: 1 })
          .select({ _id: 1, nextAttemptAt: 1 })
          .lean();
        if (!head) break;
        // The first push is waiting for its retry: later ones wait behind it, to keep the order.
        if (head.nextAttemptAt.getTime() > t) {
          resumeAt = head.nextAttemptAt.getTime();
          break;
        }
        const wait = state.paced ? paceWait(state.sendTimes, t) : 0;
        if (wait > 0) {
          resumeAt = t + wait;
          break;
        }
        const item = await Item.findOneAndUpdate(
          { _id: head._id, status: { $in: OPEN } },
          { $set: { status: 'sending', lease: { owner: token, until: new Date(t + leaseMs) } } },
          { returnDocument: 'after' },
        );
        if (!item) continue;
        // After each push the loop head looks again: next push, its retry time, the quota, or an empty lane.
        if ((await sendItem(state, item.toObject() as OutboxItem & { _id: unknown }, counts)) === 'lost') return;
      }
    } finally {
      await Lane.updateOne(
        { _id: lane, owner: token },
        resumeAt === null ? { $unset: { owner: 1, leaseUntil: 1, resumeAt: 1 } } : { $set: { resumeAt: new Date(resumeAt) }, $unset: { owner: 1, leaseUntil: 1 } },
      );
    }
  }

  /**
   * Lists the due lanes no run of this process has taken, and starts draining each as soon as
   * a slot is free; resolves once all are started, with their drains. A lane that hangs keeps
   * its slot until the client's timeout, and nobody else's lane waits behind it.
   */
  function dispatch(counts: Counts): Promise<Promise<unknown>[]> {
    const run = dispatchChain.then(async () => {
      await whenReady();
      const lanes: string[] = await Item.distinct('lane', { status: { $in: OPEN }, nextAttemptAt: { $lte: now() } });
      const taken = lanes.filter((lane) => !inFlight.has(lane));
      for (const lane of taken) inFlight.set(lane, null);
      /** Each resolves to the error its drain failed with, if any. */
      const drains: Promise<unknown>[] = [];
      for (const lane of taken) {
        await acquireSlot();
        if (stopped) {
          releaseSlot();
          inFlight.delete(lane);
          continue;
        }
        const drain = drainLane(lane, counts).then(
          () => undefined,
          (err: unknown) => err ?? new Error('push lane failed'),
        );
        const done = drain.then(() => {
          inFlight.delete(lane);
          releaseSlot();
        });
        inFlight.set(lane, done);
        drains.push(drain);
      }
      return drains;
    });
    dispatchChain = run.catch(() => {});
    return run;
  }

  async function runOnce(): Promise<Counts> {
    const counts: Counts = { sent: 0, retried: 0, dead: 0 };
    const failed = (await Promise.all(await dispatch(counts))).find((err) => err !== undefined);
    if (failed !== undefined) throw failed;
    return counts;
  }

  const outbox: Outbox = {
    async enqueue(req) {
      const doc = toDocument(req);
      await whenReady();
      try {
        await Item.create(doc);
        return 'queued';
      } catch (err) {
        if (isDuplicateKey(err, { all: true })) return 'duplicate';
        throw err;
      }
    },

    async enqueueMany(reqs) {
      if (reqs.length === 0) return;
      const docs = reqs.map(toDocument);
      await whenReady();
      try {
        await Item.insertMany(docs, { ordered: false });
      } catch (err) {
        if (!isDuplicateKey(err, { all: true })) throw err;
      }
    },

    runDue() {
      if (stopped) return Promise.resolve({ sent: 0, retried: 0, dead: 0 });
      running ??= runOnce().finally(() => {
        running = null;
      });
      return running;
    },

    start() {
      if (timer || stopped) return;
      const tick = async () => {
        try {
          const drains = stopped ? [] : await dispatch({ sent: 0, retried: 0, dead: 0 });
          for (const drain of drains) {
            void drain.then((err) => {
              if (err !== undefined) log.error({ err }, 'a push lane failed; it is tried again on the next tick — is MongoDB reachable?');
            });
          }
        } catch (err) {
          log.error({ err }, 'outbox run failed; trying again on the next tick — is MongoDB reachable?');
        }
        if (!stopped) {
          timer = setTimeout(() => void tick(), pollMs);
          timer.unref();
        }
      };
      timer = setTimeout(() => void tick(), 0);
      timer.unref();
    },

    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await running?.catch(() => {});
      await dispatchChain;
      await Promise.all([...inFlight.values()]);
    },
  };
  return outbox;
}

/** A push WeCom would not take, as admins see it (`/查询`): no secrets, no payload bytes. */
export interface DeadPush {
  dedupeKey: string;
  /** With the robot key / response code masked. */
  target: PushTarget;
  type: PushPayload['type'];
  /** The first characters of the content, or the file name. */
  preview: string;
  attempts: number;
  lastError: string;
  createdAt: Date;
  diedAt: Date;
}

/** What may narrow a dead-push query. */
export type DeadPushFilter = { webhookUrl?: string; toUser?: string; since?: Date; limit?: number };
/** The dead-push query, as handed to the admin's views (ctx.deadPushes). */
export type DeadPushQuery = (filter?: DeadPushFilter) => Promise<DeadPush[]>;

/** Dead pushes, newest first; narrowed to one robot (any URL form of it), one app user, or a time. */
export async function listDeadPushes(
  conn: mongoose.Connection,
  filter: DeadPushFilter = {},
): Promise<DeadPush[]> {
  const query: Record<string, unknown> = { status: 'dead' };
  if (filter.webhookUrl) query.lane = laneOf({ kind: 'webhook', url: filter.webhookUrl });
  else if (filter.toUser) query.lane = laneOf({ kind: 'app', toUser: filter.toUser });
  if (filter.since) query.diedAt = { $gte: filter.since };
  const docs = await outboxItemModel(conn)
    .find(query)
    .sort({ diedAt: -1 })
    .limit(filter.limit ?? 50)
    .select({ 'payload.png': 0, 'payload.data': 0 })
    .lean();
  return docs.map((d) => ({
    dedupeKey: d.dedupeKey,
    target: maskTarget(targetOf(d)),
    type: d.payload.type,
    preview: d.payload.type === 'file' ? (d.payload.filename ?? '') : [...(d.payload.content ?? '')].slice(0, 40).join(''),
    attempts: d.attempts,
    lastError: d.lastError ?? '',
    createdAt: d.createdAt,
    diedAt: d.diedAt ?? d.createdAt,
  }));
}
