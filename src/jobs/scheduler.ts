import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Connection } from 'mongoose';
import cron, { type ScheduledTask } from 'node-cron';
import { TIME_ZONE, type Config } from '../config';
import { jobRunModel } from '../db/models/job-run';
import { jobStateModel } from '../db/models/job-state';
import type { Models } from '../db/models';
import type { Logger } from '../log';
import type { DayWindow, WorkingCalendar } from '../services/calendar';
import type { Outbox, PushRequest } from '../wecom/outbox';
import { markAlerted } from './alert-marks';
import { cronSlots, type CronSlots } from './cron-slots';
import type { Job, PlannedPush } from './define-job';
import { createRunCoordinator, fireKey, type RunTrigger } from './run-coordinator';

/** Pushes go out on working days from 08:00 to 21:00 Beijing time; at night or on a day off they wait. */
export const PUSH_HOURS: DayWindow = { from: 8, to: 21 };
/** How long a fire stays claimed by a process that may have died (a run takes seconds). */
export const FIRE_LEASE_MS = 15 * 60_000;

export interface SchedulerDeps {
  models: Models;
  conn: Connection;
  config: Config;
  log: Logger;
  outbox: Pick<Outbox, 'enqueue'>;
  calendar: WorkingCalendar;
  /** The clock of catch-up, records and runs by hand; node-cron keeps its own for the timers. */
  now?: () => Date;
  /** The jobs to run (the composition root hands in jobs/index.ts). */
  jobs: readonly Job[];
  /** Names this process in the run records; default host and pid. */
  owner?: string;
  /**
   * false: start() records and catches up but sets no node-cron timers (tests drive `tick`
   * with a fake clock, so a real fire can never interleave). Default true.
   */
  timers?: boolean;
  /** Where the daily backup writes (the embedded database only); unset, it does nothing. */
  backupDir?: string;
}

/** What one fire (or run by hand) did. */
export interface RunResult {
  job: Job;
  firedAt: Date;
  /** When its pushes may go out: `firedAt`, or the next working day 08:00. */
  sendAt: Date;
  trigger: RunTrigger;
  dryRun: boolean;
  /**
   * done: planned (and, unless a dry run, queued); skipped: a working-day job on a day off;
   * not-elected: another process has (or had) this fire; failed: see `error`.
   */
  status: 'done' | 'skipped' | 'not-elected' | 'failed';
  pushes: PlannedPush[];
  /** The outbox dedupe key of each push, in order. */
  dedupeKeys: string[];
  /** Newly queued, and already queued by an earlier run of the same fire (not sent again). */
  queued: number;
  duplicate: number;
  /** What a job's `perform` did (or, in a dry run, would do). */
  summary?: string;
  error?: string;
}

/** What a command needs of the scheduler: run a job now (the runtime's scheduler is one). */
export type JobRunner = Pick<Scheduler, 'runNow'>;

export interface Scheduler {
  readonly jobs: readonly Job[];
  /** Schedules every job with node-cron (Asia/Shanghai, coordinated through MongoDB), then runs missed fires once. */
  start(): Promise<void>;
  /** Stops the timers and waits for runs under way. */
  stop(): Promise<void>;
  /**
   * Runs a job as of `at` (taken to the minute): the same fire key and dedupe keys as a
   * scheduled fire of that minute, so a repeat queues nothing new. `dryRun` plans only.
   */
  runNow(name: string, at: Date, opts?: { dryRun?: boolean }): Promise<RunResult>;
  /**
   * Fires every job whose schedule matches the minute of `at`, exactly as node-cron's
   * coordinated fire does (claim the fire key, run, complete). Tests drive simulated time
   * through it.
   */
  tick(at: Date): Promise<RunResult[]>;
  /** For each job: when its previous slot is later than its last recorded fire, runs that slot once. */
  catchUp(): Promise<RunResult[]>;
  /** A job by English or Chinese name. */
  find(name: string): Job | undefined;
}

/** `job:<name>:<fire ISO>:<target>:<part>`: a re-run of the same fire never queues a push twice. */
export function pushDedupeKey(job: string, firedAt: Date, push: Pick<PlannedPush, 'targetKey' | 'part'>): string {
  return `job:${job}:${firedAt.toISOString()}:${push.targetKey}:${push.part}`;
}

function toMinute(d: Date): Date {
  return new Date(d.getTime() - (d.getTime() % 60_000));
}

/**
 * The scheduler of jobs/: node-cron tasks with a MongoDB RunCoordinator (one process wins
 * each fire), quiet hours through the outbox's `notBefore`, a record of each fire and of each
 * job's last fire, and catch-up of a fire missed while no process was running.
 */
export function createScheduler(deps: SchedulerDeps): Scheduler {
  const { models, conn, config, log, outbox, calendar } = deps;
  const now = deps.now ?? (() => new Date());
  const { jobs } = deps;
  const owner = deps.owner ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const coordinator = createRunCoordinator({ conn, owner, now });
  const JobRun = jobRunModel(conn);
  const JobState = jobStateModel(conn);
  const slots = new Map<string, CronSlots>(jobs.map((j) => [j.name, cronSlots(j.schedule)]));
  const tasks: ScheduledTask[] = [];
  const running = new Set<Promise<unknown>>();
  let stopped = false;
  let started = false;

  const find = (name: string) => jobs.find((j) => j.name === name || j.title === name);

  function track<T>(p: Promise<T>): Promise<T> {
    running.add(p);
    void p.finally(() => running.delete(p)).catch(() => {});
    return p;
  }

  /** Plans the fire and, unless a dry run, queues its pushes and marks what must go once a day. */
  async function execute(job: Job, firedAt: Date, trigger: RunTrigger, dryRun: boolean): Promise<RunResult> {
    // A fire run late (a catch-up at night) waits as much as one on time.
    const sendAt = calendar.nextWorkingMoment(new Date(Math.max(firedAt.getTime(), now().getTime())), PUSH_HOURS);
    const result: RunResult = { job, firedAt, sendAt, trigger, dryRun, status: 'done', pushes: [], dedupeKeys: [], queued: 0, duplicate: 0 };
    // A job of working days does not fire on a day off; asked for by hand, its pushes wait for the next working morning.
    if (job.onDayOff === 'skip' && trigger !== 'manual' && !calendar.isWorkingDay(firedAt)) return { ...result, status: 'skipped' };
    const ctx = { models, conn, config, calendar, log, firedAt, sendAt, dryRun, backupDir: deps.backupDir };
    result.pushes = job.build ? await job.build(ctx) : [];
    result.dedupeKeys = result.pushes.map((p) => pushDedupeKey(job.name, firedAt, p));
    if (dryRun) {
      if (job.perform) result.summary = await job.perform(ctx, true);
      return result;
    }
    for (const [i, p] of result.pushes.entries()) {
      const req: PushRequest = { dedupeKey: result.dedupeKeys[i]!, target: p.target, payload: p.payload, notBefore: sendAt };
      if ((await outbox.enqueue(req)) === 'queued') result.queued++;
      else result.duplicate++;
    }
    const once = result.pushes.flatMap((p) => p.onceADay ?? []);
    await markAlerted(conn, job.name, once, calendar.dayKey(sendAt), now());
    if (job.perform) result.summary = await job.perform(ctx, false);
    return result;
  }

  /** Writes the outcome into the fire's record and, for scheduled fires, the job's last fire. */
  async function record(result: RunResult): Promise<void> {
    const key = fireKey(result.job.name, result.firedAt);
    const status = result.status === 'not-elected' ? undefined : result.status;
    if (!status) return;
    const counts = { planned: result.pushes.length, queued: result.queued, duplicate: result.duplicate };
    const finishedAt = now();
    await JobRun.updateOne(
      { _id: key, owner },
      { $set: { status, counts, notBefore: result.sendAt, finishedAt, ...(result.error ? { error: result.error } : {}), ...(result.summary ? { summary: result.summary } : {}) } },
    );
    if (result.trigger === 'manual') return;
    await JobState.updateOne(
      { _id: result.job.name, $or: [{ lastFiredAt: null }, { lastFiredAt: { $lte: result.firedAt } }] },
      { $set: { lastFiredAt: result.firedAt, lastStatus: status, lastTrigger: result.trigger, lastCounts: counts, lastFinishedAt: finishedAt } },
    );
  }

  /** Runs a fire this process has claimed, records it, and logs what it did. */
  async function runClaimed(job: Job, firedAt: Date, trigger: RunTrigger): Promise<RunResult> {
    let result: RunResult;
    try {
      result = await execute(job, firedAt, trigger, false);
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      result = { job, firedAt, sendAt: firedAt, trigger, dryRun: false, status: 'failed', pushes: [], dedupeKeys: [], queued: 0, duplicate: 0, error };
      log.error({ err, job: job.name, firedAt, trigger }, `job ${job.name} (${job.title}) failed; it is retried at the next start-up or by hand: npm run job -- ${job.name} --at ${firedAt.toISOString()}`);
    }
    await record(result).catch((err: unknown) => log.error({ err, job: job.name }, 'could not record the job run — is MongoDB reachable?'));
    if (result.status !== 'failed') {
      log.info(
        { job: job.name, firedAt, trigger, status: result.status, planned: result.pushes.length, queued: result.queued, duplicate: result.duplicate, sendAt: result.sendAt },
        result.status === 'skipped' ? `job ${job.title}: not a working day, skipped` : `job ${job.title}: ${result.summary ?? `${result.queued} push(es) queued`}`,
      );
    }
    return result;
  }

  /** What node-cron's coordinated fire does: claim the key, run, complete. */
  async function fire(job: Job, firedAt: Date, trigger: RunTrigger): Promise<RunResult> {
    const key = fireKey(job.name, firedAt);
    if (!(await coordinator.claim(key, FIRE_LEASE_MS, trigger))) {
      return { job, firedAt, sendAt: firedAt, trigger, dryRun: false, status: 'not-elected', pushes: [], dedupeKeys: [], queued: 0, duplicate: 0 };
    }
    try {
      return await runClaimed(job, firedAt, trigger);
    } finally {
      await coordinator.onComplete(key).catch(() => {});
    }
  }

  async function catchUp(): Promise<RunResult[]> {
    const t = now();
    const results: RunResult[] = [];
    for (const job of jobs) {
      const slot = slots.get(job.name)!.previous(t);
      const state = await JobState.findById(job.name).lean();
      const since = state?.lastFiredAt ?? state?.watchingSince;
      if (!slot || !since || slot.getTime() <= since.getTime()) continue;
      log.info({ job: job.name, slot, lastFiredAt: state?.lastFiredAt }, `job ${job.title}: the fire of ${slot.toISOString()} was missed while the service was down; running it now`);
      results.push(await track(fire(job, slot, 'catch-up')));
    }
    return results;
  }

  const cronLogger = {
    info: (m: string) => log.debug({ source: 'node-cron' }, m),
    warn: (m: string) => log.warn({ source: 'node-cron' }, m),
    error: (m: string | Error, err?: Error) => log.error({ source: 'node-cron', err: err ?? m }, String(m)),
    debug: (m: string | Error) => log.debug({ source: 'node-cron' }, String(m)),
  };

  return {
    jobs,
    find,
    catchUp,

    async start() {
      if (stopped || started) return;
      started = true;
      const t = now();
      // Fires before the first start of a scheduler that knew the job were never missed.
      for (const job of jobs) await JobState.updateOne({ _id: job.name }, { $setOnInsert: { watchingSince: t } }, { upsert: true });
      for (const job of deps.timers === false ? [] : jobs) {
        const task = cron.schedule(job.schedule, (ctx) => track(runClaimed(job, ctx.date, 'schedule')), {
          name: job.name,
          timezone: TIME_ZONE,
          distributed: true,
          runCoordinator: coordinator,
          distributedLease: FIRE_LEASE_MS,
          noOverlap: true,
          logger: cronLogger,
        });
        task.on('execution:skipped', (ctx) => log.debug({ job: job.name, firedAt: ctx.date, reason: ctx.reason }, `job ${job.title}: another process runs this fire`));
        tasks.push(task);
      }
      log.info({ jobs: jobs.map((j) => `${j.name} "${j.schedule}"`) }, `scheduler started (${TIME_ZONE})`);
      await catchUp();
    },

    async stop() {
      stopped = true;
      for (const task of tasks.splice(0)) await task.destroy();
      await Promise.allSettled([...running]);
    },

    async runNow(name, at, opts = {}) {
      const job = find(name);
      if (!job) throw new Error(`no job named "${name}"; the jobs are ${jobs.map((j) => `${j.name} (${j.title})`).join(', ')}`);
      const firedAt = toMinute(at);
      if (opts.dryRun) return execute(job, firedAt, 'manual', true);
      // Claimed when nobody ran this minute yet (then recorded); otherwise run anyway: the dedupe keys keep it from sending twice.
      const key = fireKey(job.name, firedAt);
      if (await coordinator.claim(key, FIRE_LEASE_MS, 'manual')) {
        try {
          const result = await track(runClaimed(job, firedAt, 'manual'));
          if (result.status === 'failed') throw new Error(result.error);
          return result;
        } finally {
          await coordinator.onComplete(key).catch(() => {});
        }
      }
      return track(execute(job, firedAt, 'manual', false));
    },

    async tick(at) {
      const minute = toMinute(at);
      const due = jobs.filter((j) => slots.get(j.name)!.matches(minute));
      return Promise.all(due.map((job) => track(fire(job, minute, 'schedule'))));
    },
  };
}
