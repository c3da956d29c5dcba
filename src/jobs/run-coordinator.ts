import type { Connection } from 'mongoose';
import type { RunCoordinator } from 'node-cron';
import { isDuplicateKey } from '../db/duplicate-key';
import { jobRunModel } from '../db/models/job-run';

export type RunTrigger = 'schedule' | 'catch-up' | 'manual';

/** node-cron's coordinator, plus the claim the scheduler makes itself for catch-up and runs by hand. */
export interface MongoRunCoordinator extends RunCoordinator {
  shouldRun(key: string, ttlMs: number): Promise<boolean>;
  onComplete(key: string): Promise<void>;
  /** Claims the fire `key` (`<job>:<fire ISO>`, node-cron's form) for this process; false when another has it. */
  claim(key: string, ttlMs: number, trigger: RunTrigger): Promise<boolean>;
}

export interface RunCoordinatorDeps {
  conn: Connection;
  /** Names this process in the run records. */
  owner: string;
  now?: () => Date;
}

/** node-cron's fire key: `<task name>:<slot ISO>` (see runCoordinated in node-cron's Runner). */
export function fireKey(job: string, firedAt: Date): string {
  return `${job}:${firedAt.toISOString()}`;
}

/**
 * A node-cron `RunCoordinator` on MongoDB: every process schedules every task; at each fire
 * each asks `shouldRun(key)`, which inserts a run document with `_id = key`. The unique `_id`
 * lets exactly one insert through: that process runs the fire, the others skip it. The
 * document stays as the record of the run (status, counts), so a late process, a restart's
 * catch-up or a repeat never runs the fire again. Only a run whose holder died (still
 * 'running' past its lease) or that failed may be taken over; its pushes carry the same
 * dedupe keys, so what it had queued is not queued twice.
 */
export function createRunCoordinator(deps: RunCoordinatorDeps): MongoRunCoordinator {
  const JobRun = jobRunModel(deps.conn);
  const now = deps.now ?? (() => new Date());

  async function claim(key: string, ttlMs: number, trigger: RunTrigger): Promise<boolean> {
    const colon = key.indexOf(':');
    const job = key.slice(0, colon);
    const firedAt = new Date(key.slice(colon + 1));
    if (colon < 1 || Number.isNaN(firedAt.getTime())) throw new Error(`run coordinator: "${key}" is not <job>:<ISO time>`);
    const t = now();
    const leaseUntil = new Date(t.getTime() + ttlMs);
    try {
      await JobRun.create({ _id: key, job, firedAt, owner: deps.owner, claimedAt: t, leaseUntil, trigger, status: 'running' });
      return true;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    const res = await JobRun.updateOne(
      { _id: key, $or: [{ status: 'failed' }, { status: 'running', leaseUntil: { $lte: t } }] },
      { $set: { owner: deps.owner, claimedAt: t, leaseUntil, trigger, status: 'running' }, $unset: { error: 1, finishedAt: 1 } },
    );
    return res.modifiedCount === 1;
  }

  return {
    claim,
    shouldRun: (key, ttlMs) => claim(key, ttlMs, 'schedule'),
    async onComplete(key) {
      // The scheduler records the outcome; a run that ended without one (a bug) is marked failed so it can be retried.
      await JobRun.updateOne(
        { _id: key, owner: deps.owner, status: 'running' },
        { $set: { status: 'failed', error: 'the run ended without recording its outcome', finishedAt: now() } },
      );
    },
  };
}
