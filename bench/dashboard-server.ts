/**
 * main.ts's composition (createRuntime, scheduler and outbox not started) on a mongoose
 * connection, serving the dashboard with a clock of its own, so the page can be measured: `tsx bench/dashboard-server.ts` with MONGODB_URI and DASHBOARD_SECRET; prints its
 * URL once listening; SIGTERM stops it.
 */
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../src/config';
import { connectMongoose } from '../src/db/connect';
import { createLogger } from '../src/log';
import { createRuntime } from '../src/runtime';
import { createCalendar } from '../src/services/calendar';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  const conn = await connectMongoose(config.mongodbUri!);
  const calendar = createCalendar({ dataDir: config.dataDir, log });
  // BENCH_NOW: the clock starts at this instant (the bench's data is dated to it) and runs on.
  const offset = process.env.BENCH_NOW ? Date.now() - Date.parse(process.env.BENCH_NOW) : 0;
  const now = () => new Date(Date.now() - offset);
  // BENCH_KEEP_FRESH=0: no district overview kept ready (main.ts keeps it), to time computing one on request.
  const runtime = await createRuntime(config, conn, { log, calendar, now, timers: false, keepDistrictFresh: process.env.BENCH_KEEP_FRESH !== '0' });
  const app = runtime.app('bench');
  const server = app.listen(0, '127.0.0.1', () => process.stdout.write(`http://127.0.0.1:${(server.address() as AddressInfo).port}\n`));
  process.once('SIGTERM', () => server.close(() => void conn.close().then(() => process.exit(0))));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
