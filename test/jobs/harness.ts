/**
 * A scheduler test bench: the real scheduler, outbox, WeCom client and webhook sink on a test
 * database, all on one fake clock. Time moves only through `at(...)`; the scheduler is driven
 * through `tick(minute)`, the entry node-cron's coordinated fire goes through too (claim the
 * fire key in MongoDB, run, complete), and the outbox through `runDue()`. No real timer fires.
 */
import type { Connection } from 'mongoose';
import { connectMongoose } from '../../src/db/connect';
import { createModels, syncIndexes, type Models } from '../../src/db/models';
import { outboxItemModel } from '../../src/db/models/outbox-item';
import type { Scheduler, SchedulerDeps } from '../../src/jobs/scheduler';
import { silentLogger } from '../../src/log';
import { createCalendar } from '../../src/services/calendar';
import { startWebhookSink, type WebhookSink } from '../../src/sim/webhook-sink';
import { createWeComClient } from '../../src/wecom/client';
import type { Outbox } from '../../src/wecom/outbox';
import { createRuntime } from '../../src/runtime';
import { openTestDb, type TestDb } from '../helpers/db';
import { testConfig } from '../helpers/wecom';

export const calendar = createCalendar();
export const config = testConfig();

/** `bj('2020-09-28 09:00')`: that Beijing wall-clock time. */
export function bj(text: string): Date {
  return new Date(`${text.replace(' ', 'T')}:00+08:00`);
}

/** A push as the group saw it. */
export interface SeenPush {
  /** The robot key (one per group in these tests). */
  key: string;
  at: Date;
  msgtype: string;
  content: string;
  mentions: string[];
  png?: Buffer;
  file?: { filename: string; data: Buffer };
}

/** One app process (composed by src/runtime.ts): its own connection, outbox and scheduler on the shared database. */
export interface Instance {
  conn: Connection;
  models: Models;
  outbox: Outbox;
  scheduler: Scheduler;
}

export interface Bench {
  db: TestDb;
  models: Models;
  sink: WebhookSink;
  now(): Date;
  at(d: Date | string): void;
  /** Starts another process's worth of connection, outbox and scheduler. */
  instance(over?: Partial<Pick<SchedulerDeps, 'config' | 'calendar' | 'timers' | 'backupDir'>>): Promise<Instance>;
  /** Runs the outboxes until nothing more goes out at this moment. */
  drain(...outboxes: Outbox[]): Promise<void>;
  /** What the sink took, decoded. */
  seen(): SeenPush[];
  /** The open (unsent) pushes in the outbox. */
  pending(): Promise<Array<{ dedupeKey: string; notBefore: Date }>>;
  close(): Promise<void>;
}

export async function openBench(start: Date): Promise<Bench> {
  const db = await openTestDb();
  const models = createModels(db.conn);
  await syncIndexes(models);
  let t = start.getTime();
  const now = () => new Date(t);
  const sink = await startWebhookSink({ now });
  const conns: Connection[] = [];
  const outboxes: Outbox[] = [];
  const schedulers: Scheduler[] = [];

  const bench: Bench = {
    db,
    models,
    sink,
    now,
    at(d) {
      t = (typeof d === 'string' ? bj(d) : d).getTime();
    },
    async instance(over = {}) {
      const conn = await connectMongoose(db.uri, db.dbName);
      conns.push(conn);
      const client = createWeComClient({ apiBase: sink.url, corpId: 'wwcorp', log: silentLogger, now, timeoutMs: 2000 });
      const runtime = await createRuntime(over.config ?? config, conn, {
        log: silentLogger,
        now,
        calendar: over.calendar ?? calendar,
        client,
        outboxOptions: { now, random: () => 0.5 },
        timers: over.timers ?? false,
        backupDir: over.backupDir ?? null,
      });
      const { models: instModels, scheduler } = runtime;
      const outbox = runtime.outbox!;
      outboxes.push(outbox);
      schedulers.push(scheduler);
      return { conn, models: instModels, outbox, scheduler };
    },
    async drain(...list) {
      for (let round = 0; round < 50; round++) {
        const counts = await Promise.all(list.map((o) => o.runDue()));
        if (counts.every((c) => c.sent === 0 && c.retried === 0 && c.dead === 0)) return;
      }
      throw new Error('the outbox kept sending for 50 rounds');
    },
    seen() {
      return sink.received.map((p) => ({
        key: p.key,
        at: p.at,
        msgtype: p.msgtype,
        content: p.body.markdown?.content ?? p.body.text?.content ?? '',
        mentions: p.body.text?.mentioned_list ?? [...(p.body.markdown?.content ?? '').matchAll(/<@([^>]+)>/g)].map((m) => m[1]!),
        png: p.msgtype === 'image' ? Buffer.from(p.body.image?.base64 ?? '', 'base64') : undefined,
        file: p.file,
      }));
    },
    async pending() {
      const docs = await outboxItemModel(db.conn).find({ status: { $in: ['pending', 'sending'] } }).select({ dedupeKey: 1, notBefore: 1 }).lean();
      return docs.map((d) => ({ dedupeKey: d.dedupeKey, notBefore: d.notBefore }));
    },
    async close() {
      await Promise.all(schedulers.map((s) => s.stop()));
      await Promise.all(outboxes.map((o) => o.stop()));
      await sink.stop();
      await Promise.all(conns.map((c) => c.close()));
      await db.close();
    },
  };
  return bench;
}

/** Binds a group to `to` with a robot of the sink whose key is `key`. */
export function bindGroup(bench: Bench, key: string, to: { kind: 'district' } | { kind: 'street' | 'courtyard'; refId: string }, purpose: 'work' | 'leadership' = 'work') {
  return bench.models.Group.create({ chatId: `grp-${key}`, name: key, scope: to, purpose, webhookUrl: bench.sink.webhookUrl(key), boundBy: 'seed', boundAt: bench.now(), channel: 'aibot' });
}
