/**
 * `$DATA_DIR/server.json`: where the bot of a DATA_DIR is listening, written by `npm start`
 * once it serves and removed when it stops, so that `npm run chat` finds it without being told
 * the port (and never starts a second bot instead).
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const SERVER_FILE = 'server.json';

export interface ServerInfo {
  pid: number;
  port: number;
  /** Where a process on this machine reaches the bot, e.g. http://127.0.0.1:3000. */
  url: string;
  /** Where the bot pushes (local mode: the simulator's sink). */
  apiBase: string;
  mode: 'wecom' | 'local';
  startedAt: string;
}

export function serverFilePath(dataDir: string): string {
  return path.join(dataDir, SERVER_FILE);
}

/** The address a local client uses for a server listening on `host`. */
export function localUrl(host: string, port: number): string {
  const h = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${h}:${port}`;
}

export function writeServerFile(dataDir: string, info: ServerInfo): void {
  mkdirSync(dataDir, { recursive: true });
  const file = serverFilePath(dataDir);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(info, null, 2) + '\n');
  renameSync(tmp, file);
}

/** Removes the file if it is still this process's (another bot may have started since). */
export function removeServerFile(dataDir: string, pid: number = process.pid): void {
  if (readServerFile(dataDir)?.pid === pid) rmSync(serverFilePath(dataDir), { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The bot that wrote the file, when the file is there and that process still runs. */
export function readServerFile(dataDir: string): ServerInfo | undefined {
  let info: ServerInfo;
  try {
    info = JSON.parse(readFileSync(serverFilePath(dataDir), 'utf8')) as ServerInfo;
  } catch {
    return undefined;
  }
  return Number.isInteger(info.pid) && Number.isInteger(info.port) && typeof info.url === 'string' && alive(info.pid) ? info : undefined;
}

/** The exact `npm run chat` command for the bot of `dataDir` on `port` (run in the project's folder). */
export function chatCommand(dataDir: string, port: number): string {
  const dir = path.resolve(dataDir) === path.resolve('data') ? '' : `DATA_DIR=${/^[\w./-]+$/.test(dataDir) ? dataDir : JSON.stringify(dataDir)} `;
  return `${dir}npm run chat -- --port ${port}`;
}
