import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** Where a sample's time went: a package, a file of this repository, or a V8 pseudo-frame. */
function areaOf(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : `(native) ${fn || 'anonymous'}`;
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return `pkg ${nm[1]}`;
  if (url.startsWith('node:')) return `node ${url.slice(5).split('/')[0]}`;
  const repo = /\/((?:src|commands|jobs|bench)\/.+)$/.exec(url);
  return repo ? repo[1]! : url;
}

/** One row of a profile summary. */
export interface ProfileShare {
  area: string;
  /** Share of all samples, 0–100. */
  percent: number;
  /** The heaviest functions in it (self time). */
  top: string[];
}

/**
 * Summarises the .cpuprofile files of a directory (node --cpu-prof) by self time: per package
 * or repository file, heaviest first.
 */
export function summariseProfiles(dir: string, limit = 12): ProfileShare[] {
  const byArea = new Map<string, { hits: number; fns: Map<string, number> }>();
  let total = 0;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as { nodes: ProfileNode[] };
    for (const node of profile.nodes) {
      const hits = node.hitCount ?? 0;
      if (hits === 0) continue;
      total += hits;
      const area = areaOf(node.callFrame.url, node.callFrame.functionName);
      const entry = byArea.get(area) ?? { hits: 0, fns: new Map() };
      entry.hits += hits;
      const fn = `${node.callFrame.functionName || 'anonymous'}:${node.callFrame.lineNumber + 1}`;
      entry.fns.set(fn, (entry.fns.get(fn) ?? 0) + hits);
      byArea.set(area, entry);
    }
  }
  return [...byArea.entries()]
    .sort((a, b) => b[1].hits - a[1].hits)
    .slice(0, limit)
    .map(([area, e]) => ({
      area,
      percent: total ? (100 * e.hits) / total : 0,
      top: [...e.fns.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([fn]) => fn),
    }));
}
