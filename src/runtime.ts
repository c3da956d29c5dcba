/**
 * The composition root: the one place that knows every layer. It hands commands/ and jobs/
 * to the framework (src/bot, src/jobs), builds the models, the WeCom client, the outbox, the
 * dispatcher, the scheduler, the photo intake and the routers, and wires the ports between
 * them (a command asks `ctx.jobs` to run a job now; the outbox tells the groups that a
 * webhook is gone). main.ts, the CLIs and the test harnesses compose through it.
 */
import type Koa from 'koa';
import type Router from '@koa/router';
import type { Connection } from 'mongoose';
import { allCommands } from '../commands';
import { allJobs } from '../jobs';
import type { Command } from './bot/define-command';
import { createDispatcher } from './bot/dispatcher';
import type { Config } from './config';
import { boardAccounts } from './board/accounts';
import { createBoardRouter } from './board/router';
import { createDashboardRouter } from './dashboard/router';
import { embeddedBackupDir } from './db/backup';
import { createModels, syncIndexes, type Models } from './db/models';
import { createApp } from './http/app';
import type { Job } from './jobs/define-job';
import { createScheduler, type Scheduler } from './jobs/scheduler';
import type { Logger } from './log';
import { createCalendar, type WorkingCalendar } from './services/calendar';
import { groupRecords, type MessageHandler } from './services/group-records';
import { markWebhookRetired } from './services/webhooks';
import { createPhotoIntake, type PhotoIntake, type PhotoIntakeDeps } from './services/photo-intake';
import { createWeComClient, type WeComClient } from './wecom/client';
import { createWeComRouter } from './wecom/ingress/router';
import { createOutbox, listDeadPushes, type Outbox, type OutboxDeps } from './wecom/outbox';
import { weComMedia } from './wecom/media';

export interface RuntimeOptions {
  log: Logger;
  /** The clock; default the real one. */
  now?: () => Date;
  /** Default: the shipped calendar plus DATA_DIR/holidays.json. */
  calendar?: WorkingCalendar;
  /** Default: every command of commands/index.ts. */
  commands?: readonly Command[];
  /** Default: every job of jobs/index.ts. */
  jobs?: readonly Job[];
  /** Default: a client for config.wecom. */
  client?: WeComClient;
  /** Where pushes go; default a real outbox on `conn` (then `runtime.outbox` is it). */
  outbox?: Pick<Outbox, 'enqueue'>;
  /** More options of the real outbox (tests: its clock, a fixed jitter …; its clock is not `now`: the jobs CLI's --at is the job's only). */
  outboxOptions?: Partial<Pick<OutboxDeps, 'now' | 'random' | 'pollMs' | 'leaseMs' | 'concurrency'>>;
  /** Scheduler timers (default true; the CLIs and tests drive it by hand). */
  timers?: boolean;
  /** Where the daily backup writes (null: none); default the embedded database's backups folder, none with MONGODB_URI. */
  backupDir?: string | null;
  /** The latest the ingress answers a verified message (default its own: the reply budget plus 1 s); benches time slow messages with a long one. */
  answerDeadlineMs?: number;
  /** Keep the district's dashboard overview computed ahead of requests (the serving process: main.ts). */
  keepDistrictFresh?: boolean;
  /** More options of the photo intake (tests: fetch, retries …). */
  photos?: Partial<Omit<PhotoIntakeDeps, 'models' | 'conn' | 'config' | 'log' | 'outbox'>>;
}

export interface Runtime {
  config: Config;
  conn: Connection;
  log: Logger;
  models: Models;
  calendar: WorkingCalendar;
  client: WeComClient;
  /** The real outbox, when the runtime built it (not with `options.outbox`). */
  outbox?: Outbox;
  /** Where commands and jobs push. */
  pushes: Pick<Outbox, 'enqueue'>;
  /** Always built (`/推送` runs jobs through it); started by `start()` only with SCHEDULER on. */
  scheduler: Scheduler;
  handle: MessageHandler;
  photos: PhotoIntake;
  /** The routers of the app: WeCom's callbacks, the dashboard and the courtyards' public boards. */
  wecomRouter: Router;
  dashboard: Router;
  board: Router;
  /** The Koa app serving the routers and /healthz. */
  app(engine: string): Koa;
  /** Starts the outbox, the photo intake and (SCHEDULER on) the scheduler. */
  start(): void;
  /** Stops what `start` started, each failure logged. */
  stop(): Promise<void>;
}

/** Builds the whole bot on an open connection (indexes synced). */
export async function createRuntime(config: Config, conn: Connection, opts: RuntimeOptions): Promise<Runtime> {
  const { log } = opts;
  const models = createModels(conn);
  await syncIndexes(models);
  const calendar = opts.calendar ?? createCalendar({ dataDir: config.dataDir, log });
  const client =
    opts.client ??
    createWeComClient({ apiBase: config.wecom.apiBase, corpId: config.wecom.corpId, corpSecret: config.wecom.corpSecret, agentId: config.wecom.agentId, log });
  const outbox = opts.outbox
    ? undefined
    : createOutbox({
        conn,
        client,
        log,
        perMinute: config.push.perMinute,
        maxAttempts: config.push.maxAttempts,
        onWebhookRetired: (url, key, at) => markWebhookRetired(models, url, key, at),
        ...opts.outboxOptions,
      });
  const pushes = opts.outbox ?? outbox!;
  const scheduler = createScheduler({
    models,
    conn,
    config,
    log,
    outbox: pushes,
    calendar,
    jobs: opts.jobs ?? allJobs,
    now: opts.now,
    timers: opts.timers,
    backupDir: opts.backupDir === null ? undefined : (opts.backupDir ?? embeddedBackupDir(config)),
  });
  const handle = createDispatcher({
    models,
    config,
    log,
    now: opts.now,
    calendar,
    commands: opts.commands ?? allCommands,
    outbox: pushes,
    wecom: client,
    // Ports: /推送 runs jobs through the scheduler; /查询 shows an admin the outbox's dead pushes.
    jobs: scheduler,
    deadPushes: (filter) => listDeadPushes(conn, filter),
  });
  // Pictures sent with reports: downloaded after each answer, before WeCom's links expire.
  const photos = createPhotoIntake({ models, conn, config, log, outbox: pushes, media: weComMedia(config.wecom), ...opts.photos });
  const wecomRouter = createWeComRouter({ config, log, conn, groups: groupRecords(models), handle, outbox: pushes, now: opts.now, answerDeadlineMs: opts.answerDeadlineMs, afterReply: (msg) => msg.images?.length && photos.kick() });
  const dashboard = createDashboardRouter({ models, config, log, calendar, now: opts.now, keepDistrictFresh: opts.keepDistrictFresh });
  // The courtyards' public boards (/公示码), with their 事务公开 (/公开).
  const board = createBoardRouter({ models, config, log, calendar, outbox: pushes, now: opts.now, accounts: boardAccounts(models) });
  return {
    config,
    conn,
    log,
    models,
    calendar,
    client,
    outbox,
    pushes,
    scheduler,
    handle,
    photos,
    wecomRouter,
    dashboard,
    board,
    app: (engine) =>
      createApp({
        log,
        engine,
        pingDb: async () => {
          await conn.db!.admin().ping();
        },
        routers: [wecomRouter, dashboard, board],
      }),
    start() {
      outbox?.start();
      photos.start();
      // SCHEDULER=off: this process sends no scheduled pushes (another one does, or none should).
      if (config.scheduler) {
        scheduler.start().catch((err: unknown) => log.error({ err }, 'scheduler did not start — scheduled pushes are off until a restart; is MongoDB reachable?'));
      }
    },
    async stop() {
      await scheduler.stop().catch((err: unknown) => log.error({ err }, 'scheduler did not stop cleanly'));
      await photos.stop().catch((err: unknown) => log.error({ err }, 'photo intake did not stop cleanly'));
      await outbox?.stop().catch((err: unknown) => log.error({ err }, 'outbox did not stop cleanly'));
    },
  };
}
