import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { startStorage, type Engine } from '../src/db/connect';
import { silentLogger } from '../src/log';

/** The database a benchmark runs against. */
export interface BenchDb {
  uri: string;
  engine: Engine;
  /** How it was started, for the output ("stand-in child process, 8 GB heap, memory only"). */
  how: string;
  /** The engine's process id when it is a child of the bench (peak memory is read from it). */
  pid?: number;
  stop(): Promise<void>;
}

export interface BenchDbOptions {
  /** V8 heap of a stand-in child, in MB. */
  heapMb?: number;
}

/** Runs a TypeScript entry point of this repository as a child process through tsx. */
export function spawnTs(file: string, args: string[], opts: { nodeArgs?: string[]; env?: NodeJS.ProcessEnv } = {}): ChildProcess {
  return spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', file, ...args], {
    cwd: path.resolve(__dirname, '..'),
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Resolves with the child's first stdout line; rejects when it exits first (with its stderr). */
export function firstLine(child: ChildProcess, what: string, timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error(`${what} did not start within ${timeoutMs} ms:\n${stderr}`)), timeoutMs);
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve(line.trim());
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code}) before it was ready:\n${stderr}`));
    });
  });
}

/** Sends SIGTERM and waits for the exit (SIGKILL after `graceMs`). */
export function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Is there a mongod the resolver would use without downloading (MONGOMS_SYSTEM_BINARY or the cache)? */
async function mongodAvailable(): Promise<boolean> {
  try {
    const mms = await import('mongodb-memory-server');
    const options = await mms.DryMongoBinary.generateOptions();
    return Boolean(await mms.DryMongoBinary.locateBinary(options));
  } catch {
    return false;
  }
}

/**
 * MONGODB_URI when set; else what the storage resolver would embed: a mongod when a binary is
 * already on the machine (mongodb-memory-server runs it as a child, data in a temp dir), or
 * the stand-in — started here as a child process of its own (memory only, no data dir, a
 * larger heap), so that the bench's measurements and the engine do not share an event loop.
 */
export async function startBenchDb(opts: BenchDbOptions = {}): Promise<BenchDb> {
  const external = process.env.MONGODB_URI;
  if (external) {
    const storage = await startStorage({ mongodbUri: external, dataDir: tmpdir(), log: silentLogger });
    return { uri: storage.uri, engine: storage.engine, how: 'MONGODB_URI (external server; its memory is not measured)', stop: async () => {} };
  }
  if (await mongodAvailable()) {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'lyt-bench-db-'));
    const storage = await startStorage({ dataDir, log: silentLogger, downloadTimeoutMs: 0 });
    return {
      uri: storage.uri,
      engine: storage.engine,
      how: `embedded ${storage.engine} (storage resolver), data in a temp dir; its memory is not measured`,
      stop: async () => {
        await storage.stop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const heapMb = opts.heapMb ?? 4096;
  const child = spawnTs('src/db/standin/cli.ts', [], { nodeArgs: [`--max-old-space-size=${heapMb}`], env: { LOG_LEVEL: 'warn' } });
  const uri = await firstLine(child, 'the stand-in');
  return {
    uri,
    engine: 'standin',
    how: `stand-in as a child process (pid ${child.pid}), --max-old-space-size=${heapMb}, memory only (no data dir)`,
    pid: child.pid,
    stop: () => stopChild(child),
  };
}

/** Peak resident memory (VmHWM) of a process in MB, or undefined where /proc cannot tell. */
export function peakRssMb(pid: number | 'self' = 'self'): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

/** Resets a process's peak RSS to its current RSS (Linux: "5" into clear_refs), so the next peak is a phase's own. */
export function resetPeakRss(pid: number | 'self' = 'self'): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}
