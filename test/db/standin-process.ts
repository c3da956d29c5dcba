import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

const ROOT = path.resolve(__dirname, '../..');

export interface StandinProcess {
  uri: string;
  child: ChildProcess;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
}

/**
 * Starts src/db/standin/cli.ts and waits for the URI line it prints when ready. tsx runs as a
 * loader inside the one node process (not the `tsx` launcher, which forks a child), so that a
 * signal sent to `child` reaches the server itself.
 */
export async function spawnStandin(dataDir: string, extra: string[] = []): Promise<StandinProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/db/standin/cli.ts'), '--data', dataDir, '--port', '0', ...extra], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const uri = await new Promise<string>((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout! });
    lines.once('line', (line) => resolve(line.trim()));
    child.once('exit', (code) => reject(new Error(`stand-in exited with ${code} before it was ready: ${stderr}`)));
  });
  return { uri, child, exited };
}

export { ROOT };
