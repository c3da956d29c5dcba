/**
 * Runs the stand-in as a process of its own:
 *   tsx src/db/standin/cli.ts --data DIR [--port N] [--host H] [--compact-bytes N]
 * Prints one line, its `mongodb://` URI, once it accepts connections; logs go to stderr;
 * SIGTERM or SIGINT stop it cleanly (journal flushed).
 */
import pino from 'pino';
import { createLogger } from '../../log';
import { startStandin } from '.';

function args(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]!);
    if (!m) throw new Error(`unexpected argument ${argv[i]}`);
    out[m[1]!] = m[2] ?? argv[++i] ?? '';
  }
  return out;
}

async function main(): Promise<void> {
  const a = args(process.argv.slice(2));
  const log = createLogger(process.env.LOG_LEVEL ?? 'info', pino.destination(2));
  const standin = await startStandin({
    dataDir: a.data || undefined,
    port: a.port ? Number(a.port) : 0,
    host: a.host ?? '127.0.0.1',
    compactBytes: a['compact-bytes'] ? Number(a['compact-bytes']) : undefined,
    log,
  });
  process.stdout.write(`${standin.uri}\n`);
  const stop = async (signal: string) => {
    log.info({ signal }, 'stand-in: stopping');
    await standin.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
