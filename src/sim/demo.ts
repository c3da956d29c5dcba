import { createReadStream } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { chatCli } from './chat';

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

/**
 * `npm run demo`: starts a bot of its own (temp DATA_DIR, free ports) and plays
 * demo-script.txt against it through the chat simulator.
 */
async function demo(): Promise<number> {
  const port = process.env.PORT ? Number(process.env.PORT) : await freePortPair();
  const script = createReadStream(path.join(__dirname, 'demo-script.txt'), 'utf8');
  return chatCli(['--start', ...process.argv.slice(2)], {
    input: script,
    output: process.stdout,
    interactive: false,
    env: { ...process.env, PORT: String(port), SIM_SINK_PORT: '' },
  });
}

demo().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
