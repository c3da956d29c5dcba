/**
 * `npm run job -- NAME [--at ISO-TIME] [--dry-run]`: runs one scheduled job as of a time
 * (default now), against the database the app uses (MONGODB_URI, else the embedded one in
 * DATA_DIR — shared with a running `npm start` on the same DATA_DIR).
 *
 *   npm run job -- weekly-ranking --dry-run                    print what Monday's ranking would send
 *   npm run job -- 逾期 --at 2020-10-10T09:00:00+08:00          queue and send the alerts of that morning
 *
 * Without --dry-run the pushes go through the outbox with the dedupe keys of a fire at that
 * minute (a second run sends nothing again); pushes held for working hours are left in the
 * outbox for the running bot. Exit status: 0 done, 1 failed, 2 wrong usage.
 */
import { ConfigError, loadConfig } from './config';
import { embeddedBackupDir } from './db/backup';
import { connectMongoose, startStorage } from './db/connect';
import { createModels, syncIndexes } from './db/models';
import { outboxItemModel } from './db/models/outbox-item';
import { allJobs } from '../jobs';
import { describePush } from './jobs/describe-push';
import { createScheduler, type RunResult } from './jobs/scheduler';
import { createLogger } from './log';
import { createCalendar } from './services/calendar';
import { createWeComClient } from './wecom/client';
import { createOutbox } from './wecom/outbox';

const USAGE = [
  'usage: npm run job -- NAME [--at ISO-TIME] [--dry-run]',
  '',
  'jobs:',
  ...allJobs.map((j) => `  ${j.name.padEnd(20)} ${j.title}（${j.schedule}，Asia/Shanghai）`),
  '',
  '--at       run as of this time, e.g. 2020-09-28T09:00:00+08:00 (default: now)',
  '--dry-run  print the messages instead of sending them',
].join('\n');

interface Args {
  name: string;
  at: Date;
  dryRun: boolean;
}

function parseArgs(argv: string[]): Args | string {
  let name: string | undefined;
  let at = new Date();
  let dryRun = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') return '';
    if (a === '--dry-run') dryRun = true;
    else if (a === '--at' || a.startsWith('--at=')) {
      const value = a === '--at' ? argv[++i] : a.slice('--at='.length);
      at = new Date(value ?? '');
      if (!value || Number.isNaN(at.getTime())) return `--at needs an ISO time such as 2020-09-28T09:00:00+08:00, got "${value ?? ''}"`;
    } else if (a.startsWith('--')) return `unknown option ${a}`;
    else if (name) return `one job at a time (got "${name}" and "${a}")`;
    else name = a;
  }
  if (!name) return 'which job?';
  if (!allJobs.some((j) => j.name === name || j.title === name)) return `no job named "${name}"`;
  return { name, at, dryRun };
}

function printRun(result: RunResult): void {
  const out = (s = '') => process.stdout.write(s + '\n');
  out(`${result.job.name}（${result.job.title}）as of ${result.firedAt.toISOString()}: ${result.pushes.length} push(es)${result.dryRun ? ' — dry run, nothing sent' : ''}`);
  if (result.summary) out(result.summary);
  if (result.sendAt.getTime() > Math.max(result.firedAt.getTime(), Date.now())) out(`held for working hours until ${result.sendAt.toISOString()}`);
  for (const [i, p] of result.pushes.entries()) {
    out();
    out(`── ${i + 1}. → ${p.targetName} (${p.targetKey}) · ${describePush(p)}`);
    out(`   dedupe key: ${result.dedupeKeys[i]}`);
    if (p.payload.type === 'markdown' || p.payload.type === 'text') {
      out(p.payload.content);
      if (p.payload.mentions?.length) out(p.payload.mentions.map((m) => `<@${m}>`).join(''));
    }
  }
}

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    if (args) process.stderr.write(`${args}\n\n`);
    (args ? process.stderr : process.stdout).write(USAGE + '\n');
    return args ? 2 : 0;
  }
  const config = loadConfig();
  const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  // A second process on the DATA_DIR of a running bot borrows the bot's embedded server (src/db/standin/shared.ts).
  const storage = await startStorage({ mongodbUri: config.mongodbUri, dataDir: config.dataDir, log }).catch((err: unknown) => {
    throw new Error(`could not open the database (${(err as Error).message}). If the bot is running on DATA_DIR=${config.dataDir}, stop it or set MONGODB_URI to a server both can use.`);
  });
  const conn = await connectMongoose(storage.uri);
  const client = createWeComClient({ apiBase: config.wecom.apiBase, corpId: config.wecom.corpId, corpSecret: config.wecom.corpSecret, agentId: config.wecom.agentId, log });
  const outbox = createOutbox({ conn, client, log, perMinute: config.push.perMinute, maxAttempts: config.push.maxAttempts });
  try {
    const models = createModels(conn);
    await syncIndexes(models);
    const calendar = createCalendar({ dataDir: config.dataDir, log });
    const scheduler = createScheduler({ models, conn, config, log, outbox, calendar, timers: false, backupDir: embeddedBackupDir(config) });
    const result = await scheduler.runNow(args.name, args.at, { dryRun: args.dryRun });
    printRun(result);
    if (args.dryRun || result.pushes.length === 0) return 0;
    process.stdout.write(`\nqueued ${result.queued}, already queued before ${result.duplicate}; sending…\n`);
    // Send what is due now; pushes held for working hours stay for the bot (or a later run).
    const Item = outboxItemModel(conn);
    const open = { dedupeKey: { $in: result.dedupeKeys }, status: { $in: ['pending', 'sending'] as Array<'pending' | 'sending'> }, notBefore: { $lte: new Date() } };
    for (let round = 0; round < 600 && (await Item.countDocuments(open)) > 0; round++) {
      const counts = await outbox.runDue();
      if (counts.sent + counts.retried + counts.dead === 0) await new Promise((r) => setTimeout(r, 1000));
    }
    const byStatus = await Item.aggregate<{ _id: string; n: number }>([{ $match: { dedupeKey: { $in: result.dedupeKeys } } }, { $group: { _id: '$status', n: { $sum: 1 } } }]);
    process.stdout.write(`${byStatus.map((s) => `${s._id}: ${s.n}`).join(', ')}\n`);
    return byStatus.some((s) => s._id === 'dead') ? 1 : 0;
  } finally {
    await outbox.stop().catch(() => {});
    await conn.close().catch(() => {});
    await storage.stop().catch(() => {});
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78);
    }
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
