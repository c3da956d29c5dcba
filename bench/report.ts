import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { machineLine, type Machine } from './machine';

/** A table of figures: a header row and rows of cells (numbers are shown as given). */
export interface Table {
  headers: string[];
  rows: Array<Array<string | number>>;
}

/** A target from the issue and whether this run met it. */
export interface Target {
  what: string;
  met: boolean;
  /** The figure it was judged on, e.g. "p99 31 ms". */
  actual: string;
}

/** What one benchmark hands back: its figures, its targets, and what a reader must know. */
export interface BenchResult {
  name: string;
  title: string;
  /** The database engine it ran against, when it used one. */
  engine?: string;
  /** The command that repeats just this benchmark. */
  command: string;
  tables: Array<{ caption: string; table: Table }>;
  targets: Target[];
  /** Plain sentences: what was run exactly, scaling decisions, where the time went. */
  notes: string[];
}

/** A Markdown table with columns padded so that it also reads well in a terminal. */
export function formatTable(t: Table): string {
  const cells = [t.headers, ...t.rows.map((r) => r.map(String))];
  const width = (s: string) => [...s].reduce((n, ch) => n + (/[\u3000-\u9fff\uff00-\uffef]/.test(ch) ? 2 : 1), 0);
  const widths = t.headers.map((_, i) => Math.max(3, ...cells.map((r) => width(r[i] ?? ''))));
  const line = (r: string[]) => `| ${r.map((c, i) => c + ' '.repeat(widths[i]! - width(c))).join(' | ')} |`;
  return [line(cells[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.slice(1).map(line)].join('\n');
}

/** The Markdown of one benchmark's result (also what the terminal shows). */
export function formatResult(r: BenchResult, machine: Machine): string {
  const out = [`### ${r.title}`, '', `Machine: ${machineLine(machine, r.engine)}`, `Repeat: \`${r.command}\``, ''];
  for (const { caption, table } of r.tables) out.push(`${caption}`, '', formatTable(table), '');
  if (r.targets.length) {
    out.push('Targets:');
    for (const t of r.targets) out.push(`- ${t.met ? 'MET' : 'NOT MET'}: ${t.what} (${t.actual})`);
    out.push('');
  }
  if (r.notes.length) {
    out.push('Notes:');
    for (const n of r.notes) out.push(`- ${n}`);
    out.push('');
  }
  return out.join('\n');
}

/** Number formatting for tables: at most `digits` decimals, thousands separated. */
export function fmt(n: number, digits = 1): string {
  if (!Number.isFinite(n)) return String(n);
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

const RESULTS_HEADER = `# Benchmark results

Appended by \`npm run bench\` (bench/run.ts), newest last. Each section names the machine it ran
on; compare ratios within one section, not absolute figures across machines.
`;

/**
 * Appends a dated section with every result to `file` (created with a header when missing):
 * the machine line, the load at the start, caveats, and each benchmark's figures.
 */
export function appendResults(file: string, results: BenchResult[], machine: Machine, opts: { command: string; caveats: string[]; startedAt: Date; tookMs: number }): void {
  if (!existsSync(file)) writeFileSync(file, RESULTS_HEADER);
  const stamp = opts.startedAt.toISOString().replace('T', ' ').replace(/:\d\d\.\d+Z$/, ' UTC');
  const section = [
    '',
    `## ${stamp} — \`${opts.command}\``,
    '',
    `Machine: ${machineLine(machine)}`,
    `Whole run: ${fmt(opts.tookMs / 60_000, 1)} min.`,
    '',
    ...(opts.caveats.length ? ['Caveats:', ...opts.caveats.map((c) => `- ${c}`), ''] : []),
    ...results.map((r) => formatResult(r, machine)),
  ].join('\n');
  appendFileSync(file, section);
}
