import type { Connection } from 'mongoose';
import { validate } from 'node-cron';
import type { Config } from '../config';
import type { Models } from '../db/models';
import type { Logger } from '../log';
import type { WorkingCalendar } from '../services/calendar';
import type { PushPayload, PushTarget } from '../wecom/outbox';

/** What a job's `build` gets: the data, and the moment it plans for. */
export interface JobContext {
  models: Models;
  conn: Connection;
  config: Config;
  calendar: WorkingCalendar;
  log: Logger;
  /** The fire time (the scheduled slot, or the minute of a run by hand): the job's "now". */
  firedAt: Date;
  /** When the pushes will go out: `firedAt`, or the next working morning when that is at night or on a day off. */
  sendAt: Date;
  /** Where automatic backups go: set only with the embedded database (src/db/backup.ts, embeddedBackupDir). */
  backupDir?: string;
  /** A dry run (预览, `--dry-run`): plan only. A real run of a ranking job publishes the period first. */
  dryRun: boolean;
}

/** One message a run would send: to whom, what, and under which part name (for the dedupe key). */
export interface PlannedPush {
  /** The group's chatId (part of the dedupe key). */
  targetKey: string;
  /** How the target is named in a dry run and in /推送's answer (the group's name). */
  targetName: string;
  target: PushTarget;
  /** Distinguishes the pushes to one target within a run: 'ranking', 'chart', 'table', 'alert', 'digest'. */
  part: string;
  payload: PushPayload;
  /**
   * Items this push reports that must be alerted at most once a Beijing day (overdue
   * alerts): the run marks them for the day the push goes out, and `build` leaves out
   * items already marked for it.
   */
  onceADay?: string[];
}

/** A scheduled job, declared in one file of jobs/. */
export interface Job {
  /** English kebab-case; names the node-cron task, the coordination key and the dedupe keys. */
  name: string;
  /** Chinese name, for /推送, the dry run and logs. */
  title: string;
  /** Cron expression (minute hour day month weekday), in Asia/Shanghai. */
  schedule: string;
  /**
   * A fire on a day off: 'skip' it (jobs of working days: overdue alerts, the visit reminder),
   * or 'hold' its pushes until the next working day 08:00 (the weekly and monthly rankings; a
   * job without pushes, the daily backup, simply runs).
   */
  onDayOff: 'skip' | 'hold';
  /** A ranking job: a real run publishes the period it reports (src/services/snapshots.ts). */
  publishes?: boolean;
  /**
   * Plans the pushes as of `ctx.firedAt`. Reads the database and writes nothing, except that
   * a real (not dry) run of a ranking job publishes the ranking it reports
   * (src/services/snapshots.ts), once per period.
   */
  build?(ctx: JobContext): Promise<PlannedPush[]>;
  /**
   * Work other than pushes (the daily backup), done once the pushes are queued; in a dry run
   * it only says what it would do. Returns one line for the log, the run record and the CLI.
   */
  perform?(ctx: JobContext, dryRun: boolean): Promise<string>;
}

const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** Declares a job; throws at start-up on a bad name or cron expression. */
export function defineJob(job: Job): Job {
  if (!NAME.test(job.name)) throw new Error(`job name "${job.name}" must be English kebab-case, e.g. weekly-ranking`);
  if (job.schedule.trim().split(/\s+/).length !== 5 || !validate(job.schedule)) {
    throw new Error(`job ${job.name}: "${job.schedule}" is not a five-field cron expression (minute hour day month weekday)`);
  }
  return job;
}

/** Beyond this, a push goes out late enough after its fire that it says when its figures are of. */
const LATE_AFTER_MS = 5 * 60_000;

/** Whether the run's pushes go out well after its fire (held over a night, a day off or downtime): they then say "截至…". */
export function sentLate(ctx: Pick<JobContext, 'firedAt' | 'sendAt'>): boolean {
  return ctx.sendAt.getTime() - ctx.firedAt.getTime() > LATE_AFTER_MS;
}
