import { execFileSync } from 'node:child_process';
import os from 'node:os';

/** What a benchmark ran on, so that figures from different machines are never compared blindly. */
export interface Machine {
  cpu: string;
  cores: number;
  memoryGb: number;
  node: string;
  os: string;
  /** 1-minute load average when the run started (other work on the machine skews the figures). */
  loadAtStart: number;
  /** The commit benchmarked (with "+dirty" when the tree had changes). */
  commit: string;
}

function commitOf(cwd: string): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return dirty ? `${head}+dirty` : head;
  } catch {
    return 'unknown';
  }
}

/** Reads the machine's description now. */
export function describeMachine(cwd = process.cwd()): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown CPU',
    cores: cpus.length,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    loadAtStart: Math.round(os.loadavg()[0]! * 100) / 100,
    commit: commitOf(cwd),
  };
}

/** One line: CPU, cores, memory, Node, OS, load, commit, and the database engine if known. */
export function machineLine(m: Machine, engine?: string): string {
  return [
    `CPU ${m.cpu}`,
    `${m.cores} cores`,
    `${m.memoryGb} GB RAM`,
    `Node ${m.node}`,
    m.os,
    ...(engine ? [`DB ${engine}`] : []),
    `load ${m.loadAtStart} at start`,
    `commit ${m.commit}`,
  ].join(' · ');
}
