/**
 * `npm run job -- NAME [--at TIME] [--dry-run]`: runs one scheduled job as of a time
 * (default now), against the database the app uses (MONGODB_URI, else the embedded one in
 * DATA_DIR — shared with a running `npm start` on the same DATA_DIR).
 *
 *   npm run job -- weekly-ranking --dry-run                 print what Monday's ranking would send
 *   npm run job -- 逾期 --at 2020-10-10T09:00+08:00          queue and send the alerts of that morning
 *
 * `--at` is the job's clock for everything it reasons about: the fire's minute, whether it is
 * a working day and when a push held for working hours goes out. A time without an offset is
 * Beijing time. Without --dry-run the pushes go through the outbox with the dedupe keys of a
 * fire at that minute (a second run sends nothing again); pushes whose time has not come are
 * left in the outbox for the running bot. Exit status: 0 done, 1 failed, 2 wrong usage.
 */
import { loadConfig } from './config';
import { outboxItemModel } from './db/models/outbox-item';
import { allJobs } from '../jobs';
import { describePush } from './jobs/describe-push';
import type { RunResult } from './jobs/scheduler';
import { createLogger } from './log';
import { formatFullDateTime } from './services/beijing-time';
import { openDatabase, runCli } from './cli';
import { createRuntime } from './runtime';
import type { Outbox } from './wecom/outbox';

const USAGE = [
  '用法：npm run job -- 任务名 [--at 时间] [--dry-run]',
  '',
  '任务：',
  ...allJobs.map((j) => `  ${j.name.padEnd(20)} ${j.title}（${j.schedule}，北京时间）`),
  '',
  '--at       按这个时间运行，例如 2020-09-28T09:00+08:00 或 2020-09-28T09:00（不带时区即北京时间）；默认现在',
  '--dry-run  只打印要发送的消息，不发送',
].join('\n');

const STATUS_NAMES: Record<string, string> = { pending: '待发送', sending: '发送中', sent: '已发送', dead: '已放弃' };

interface Args {
  name: string;
  /** The job's clock: --at, else undefined (the real clock). */
  at?: Date;
  dryRun: boolean;
}

/** An ISO time; without an offset (or a date alone) it is Beijing time. */
export function parseAt(value: string): Date | undefined {
  const local = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?)?$/.test(value);
  const text = local ? `${value.includes('T') ? value : `${value}T00:00`}+08:00` : value;
  const at = new Date(text);
  return /^\d{4}-\d{2}-\d{2}/.test(value) && !Number.isNaN(at.getTime()) ? at : undefined;
}

function parseArgs(argv: string[]): Args | string {
  let name: string | undefined;
  let at: Date | undefined;
  let dryRun = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') return '';
    if (a === '--dry-run') dryRun = true;
    else if (a === '--at' || a.startsWith('--at=')) {
      const value = a === '--at' ? argv[++i] : a.slice('--at='.length);
      at = value ? parseAt(value) : undefined;
      if (!at) return `--at 需要一个时间，例如 2020-09-28T09:00+08:00，收到「${value ?? ''}」`;
    } else if (a.startsWith('--')) return `没有这个选项：${a}`;
    else if (name) return `一次只能运行一个任务（收到「${name}」和「${a}」）`;
    else name = a;
  }
  if (!name) return '要运行哪个任务？';
  if (!allJobs.some((j) => j.name === name || j.title === name)) return `没有叫「${name}」的任务`;
  return { name, at, dryRun };
}

function printRun(result: RunResult, now: Date, out: (s?: string) => void): void {
  const sent = result.dryRun ? ' — 试运行，不发送' : '';
  out(`${result.job.title}（${result.job.name}），按 ${formatFullDateTime(result.firedAt)}（北京时间）运行：共 ${result.pushes.length} 条推送${sent}`);
  if (result.summary) out(result.summary);
  if (result.sendAt.getTime() > Math.max(result.firedAt.getTime(), now.getTime())) {
    out(`夜间或非工作日不推送：将在 ${formatFullDateTime(result.sendAt)}（北京时间）发出`);
  }
  for (const [i, p] of result.pushes.entries()) {
    out();
    out(`── ${i + 1}. → ${p.targetName}（${p.targetKey}）· ${describePush(p)}`);
    out(`   去重键：${result.dedupeKeys[i]}`);
    if (p.payload.type === 'markdown' || p.payload.type === 'text') {
      out(p.payload.content);
      if (p.payload.mentions?.length) out(p.payload.mentions.map((m) => `<@${m}>`).join(''));
    }
  }
}

export interface JobCliIo {
  out: (s: string) => void;
  err: (s: string) => void;
  env?: NodeJS.ProcessEnv;
}

/** The job command line; returns the exit status. */
export async function jobCli(argv: string[], io: JobCliIo): Promise<number> {
  const out = (s = '') => io.out(s + '\n');
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    if (args) io.err(`${args}\n\n`);
    (args ? io.err : io.out)(USAGE + '\n');
    return args ? 2 : 0;
  }
  const config = loadConfig(io.env);
  const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  // --at is the job's clock; without it, the real one.
  const now = () => args.at ?? new Date();
  // A second process on the DATA_DIR of a running bot borrows the bot's embedded server (src/db/standin/shared.ts).
  const db = await openDatabase(config, log, {
    busyHint: (err) => `无法打开数据库（${err.message}）。如果机器人正在 DATA_DIR=${config.dataDir} 上运行，请先停止它，或把 MONGODB_URI 设为两者都能用的服务器。`,
  });
  const { conn } = db;
  let outbox: Outbox | undefined;
  try {
    const runtime = await createRuntime(config, conn, { log, now, timers: false });
    const { scheduler } = runtime;
    outbox = runtime.outbox!;
    const result = await scheduler.runNow(args.name, now(), { dryRun: args.dryRun });
    printRun(result, now(), out);
    if (args.dryRun || result.pushes.length === 0) return 0;
    out(`\n已排队 ${result.queued} 条，此前已排队 ${result.duplicate} 条；正在发送…`);
    // Send what is due now; pushes whose time has not come stay for the bot (or a later run).
    const Item = outboxItemModel(conn);
    const open = { dedupeKey: { $in: result.dedupeKeys }, status: { $in: ['pending', 'sending'] as Array<'pending' | 'sending'> }, notBefore: { $lte: new Date() } };
    for (let round = 0; round < 600 && (await Item.countDocuments(open)) > 0; round++) {
      const counts = await outbox.runDue();
      if (counts.sent + counts.retried + counts.dead === 0) await new Promise((r) => setTimeout(r, 1000));
    }
    const byStatus = await Item.aggregate<{ _id: string; n: number }>([{ $match: { dedupeKey: { $in: result.dedupeKeys } } }, { $group: { _id: '$status', n: { $sum: 1 } } }]);
    out(byStatus.map((s) => `${STATUS_NAMES[s._id] ?? s._id} ${s.n} 条`).join('，'));
    return byStatus.some((s) => s._id === 'dead') ? 1 : 0;
  } finally {
    await outbox?.stop().catch(() => {});
    await db.close();
  }
}

if (require.main === module) {
  runCli(() => jobCli(process.argv.slice(2), { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) }));
}
