import { createReadStream } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { chatCli, type ChatCliIo } from './chat';

/** A port p such that p and p + 1 (the simulator's sink) are both free. */
async function freePortPair(): Promise<number> {
  const free = (port: number) =>
    new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
  for (let port = 3100; port < 3200; port += 2) {
    if ((await free(port)) && (await free(port + 1))) return port;
  }
  throw new Error('no two free ports between 3100 and 3200');
}

/** The script `npm run demo` plays. */
export const DEMO_SCRIPT = path.join(__dirname, 'demo-script.txt');

/**
 * `npm run demo`: starts a bot of its own (temp DATA_DIR and database, free ports) and plays
 * demo-script.txt against it through the chat simulator, its comments shown as narration.
 * Strict: any step the bot refuses or fails makes the exit code non-zero.
 */
export async function runDemo(argv: string[], io: Pick<ChatCliIo, 'output'> & { env?: NodeJS.ProcessEnv }): Promise<number> {
  const base = io.env ?? process.env;
  const port = base.PORT ? Number(base.PORT) : await freePortPair();
  // The demo's bot keeps everything in its temporary DATA_DIR, never in a configured database.
  const env: NodeJS.ProcessEnv = { ...base, PORT: String(port), SIM_SINK_PORT: '', MONGODB_URI: '' };
  return chatCli(['--start', '--strict', '--narrate', ...argv], { input: createReadStream(DEMO_SCRIPT, 'utf8'), output: io.output, interactive: false, env });
}

if (require.main === module) {
  runDemo(process.argv.slice(2), { output: process.stdout }).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
