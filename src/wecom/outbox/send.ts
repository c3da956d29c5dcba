/** The outbox's sender: lanes claimed with a lease, pushes sent in order, paced and retried. */
import { randomUUID } from 'node:crypto';
import { isDuplicateKey } from '../../db/duplicate-key';
import { outboxItemModel, type OutboxItem } from '../../db/models/outbox-item';
import { outboxLaneModel, type OutboxLane } from '../../db/models/outbox-lane';
import { OutboundRefusedError } from '../../errors';
import { webhookKey, type WeComMessage } from '../client';
import { laneLabel } from './lanes';
import { payloadOf, pushParts, targetOf } from './parts';
import { toDocument } from './request';
import { backoffMs, describeError, isRetryable, PACE_WINDOW_MS, paceWait, retiresRobot } from './retry-policy';
import type { Counts, Outbox, OutboxDeps, PushTarget } from './types';

const OPEN: Array<'pending' | 'sending'> = ['pending', 'sending'];

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
    if (item.target.kind === 'webhook' && retiresRobot(err)) {
      await retireWebhook(state, item.target.url, reason, counts);
      return 'next';
    }
    const attempts = item.attempts + 1;
    const retryable = isRetryable(err);
    if (retryable && attempts < maxAttempts) {
      const delay = backoffMs(attempts, err, random);
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
      if (state.paced && paceWait(state.sendTimes, t, perMinute) > 0) {
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
        const wait = state.paced ? paceWait(state.sendTimes, t, perMinute) : 0;
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
      const doc = toDocument(req, now());
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
      const docs = reqs.map((req) => toDocument(req, now()));
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
