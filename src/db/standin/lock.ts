import fs from 'node:fs';
import path from 'node:path';
import { StartRefused } from './errors';

const LOCK = 'LOCK';

/**
 * What `LOCK` says about the process that owns a data directory: its pid, when that process
 * started (so a pid reused by another process is told apart), and the id of this opening of
 * the directory, which the owner's server reports (buildInfo) to prove it serves it.
 * A LOCK written before these fields existed holds only the pid.
 */
export interface LockInfo {
  pid: number;
  started?: string;
  instance?: string;
}

/**
 * none: nobody holds the directory (no LOCK, or this process); stale: the process is gone, or
 * its pid now belongs to another one; live: the very process that wrote LOCK runs; unknown: a
 * process with that pid runs and nothing tells whether it is the one (an old LOCK, or no /proc).
 */
export type HolderState = 'none' | 'stale' | 'live' | 'unknown';

/** When a process started (clock ticks since boot, from /proc), or undefined where that cannot be read. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (the command) is in parentheses and may hold spaces; starttime is field 22.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

export function readLock(dir: string): LockInfo | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, LOCK), 'utf8').trim();
  } catch {
    return undefined;
  }
  if (/^\d+$/.test(text)) return { pid: Number(text) };
  try {
    const parsed = JSON.parse(text) as Partial<LockInfo>;
    if (typeof parsed.pid === 'number' && parsed.pid > 0) return { pid: parsed.pid, started: parsed.started, instance: parsed.instance };
  } catch {
    // unreadable: as good as none
  }
  return undefined;
}

export function holderState(lock: LockInfo | undefined): HolderState {
  if (!lock || lock.pid === process.pid) return 'none';
  try {
    process.kill(lock.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return 'stale';
  }
  const started = processStartTime(lock.pid);
  if (lock.started === undefined || started === undefined) return 'unknown';
  return started === lock.started ? 'live' : 'stale';
}

/**
 * Takes the directory for this process, or throws when another process holds it (or may:
 * then the message says how to tell and what to do).
 */
export function takeLock(dir: string, instance: string): void {
  const lock = readLock(dir);
  const state = holderState(lock);
  if (state === 'live') {
    throw new StartRefused(
      `内置数据库的数据目录 ${dir} 正由进程 ${lock!.pid} 使用，但它没有在记录的地址上证明自己服务于这个目录（可能还在启动）。请稍后再试，或先停止那个进程。`,
    );
  }
  if (state === 'unknown') {
    throw new StartRefused(
      `内置数据库的数据目录 ${dir} 的锁文件 LOCK 记着进程 ${lock!.pid}，这个进程还在运行，但无法确认它是否在使用这个目录。` +
        `如果确认没有别的程序在使用这个目录，删除 ${path.join(dir, LOCK)} 后重试。`,
    );
  }
  const info: LockInfo = { pid: process.pid, started: processStartTime(process.pid), instance };
  const tmp = path.join(dir, `${LOCK}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, JSON.stringify(info));
  fs.renameSync(tmp, path.join(dir, LOCK));
}

/** Removes LOCK if it is still this opening's. */
export function releaseLock(dir: string, instance: string): void {
  if (readLock(dir)?.instance === instance) fs.rmSync(path.join(dir, LOCK), { force: true });
}
