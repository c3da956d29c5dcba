import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

/** Where a sample's time went: a package, a file of this repository, or a V8 pseudo-frame. */
function areaOf(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : `(native) ${fn || 'anonymous'}`;
  const packages = [...url.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)];
  if (packages.length) return `pkg ${packages[packages.length - 1]![1]}`;
  if (url.startsWith('node:')) return `node ${url.slice(5).split('/')[0]}`;
  const repo = repoPath(url);
  return repo ?? url;
}

function repoPath(url: string): string | undefined {
  if (url.includes('node_modules')) return undefined;
  return /\/((?:src|commands|jobs|bench)\/.+)$/.exec(url)?.[1];
}

/** One row of a profile summary. */
export interface ProfileShare {
  area: string;
  /** Share of the busy samples (idle left out), 0–100. */
  percent: number;
  /** The heaviest functions in it. */
  top: string[];
}

export interface ProfileSummary {
  /** Share of all samples the thread was idle (waiting: for the database, for requests). */
  idlePercent: number;
  /** Self time by package or repository file. */
  self: ProfileShare[];
  /** Each busy sample charged to the innermost function of this repository on its stack. */
  repoInclusive: ProfileShare[];
}

const share = (m: Map<string, { hits: number; fns: Map<string, number> }>, busy: number, limit: number): ProfileShare[] =>
  [...m.entries()]
    .sort((a, b) => b[1].hits - a[1].hits)
    .slice(0, limit)
    .map(([area, e]) => ({
      area,
      percent: busy ? (100 * e.hits) / busy : 0,
      top: [...e.fns.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([fn]) => fn),
    }));

function add(m: Map<string, { hits: number; fns: Map<string, number> }>, area: string, fn: string, hits: number) {
  const entry = m.get(area) ?? { hits: 0, fns: new Map<string, number>() };
  entry.hits += hits;
  entry.fns.set(fn, (entry.fns.get(fn) ?? 0) + hits);
  m.set(area, entry);
}

/**
 * Summarises the main-thread .cpuprofile files of a directory (node --cpu-prof; tsx's loader
 * thread is left out): idle share, self time per package or file, and busy time charged to
 * the innermost repository function on the stack.
 */
export function summariseProfiles(dir: string, limit = 10): ProfileSummary {
  const self = new Map<string, { hits: number; fns: Map<string, number> }>();
  const inclusive = new Map<string, { hits: number; fns: Map<string, number> }>();
  let total = 0;
  let idle = 0;
  for (const file of readdirSync(dir).filter((f) => /\.\d+\.0\.\d+\.cpuprofile$/.test(f))) {
    const profile = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as { nodes: ProfileNode[] };
    const parent = new Map<number, ProfileNode>();
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n);
    for (const node of profile.nodes) {
      const hits = node.hitCount ?? 0;
      if (hits === 0) continue;
      total += hits;
      if (node.callFrame.functionName === '(idle)') {
        idle += hits;
        continue;
      }
      const fn = `${node.callFrame.functionName || 'anonymous'}:${node.callFrame.lineNumber + 1}`;
      add(self, areaOf(node.callFrame.url, node.callFrame.functionName), fn, hits);
      let at: ProfileNode | undefined = node;
      while (at && !repoPath(at.callFrame.url)) at = parent.get(at.id) ?? undefined;
      if (at) add(inclusive, repoPath(at.callFrame.url)!, `${at.callFrame.functionName || 'anonymous'}:${at.callFrame.lineNumber + 1}`, hits);
      else add(inclusive, '(no repository code on the stack: sockets, driver callbacks, GC)', fn, hits);
    }
  }
  const busy = total - idle;
  return { idlePercent: total ? (100 * idle) / total : 0, self: share(self, busy, limit), repoInclusive: share(inclusive, busy, limit) };
}
