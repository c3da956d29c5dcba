/**
 * `npm run bench [-- callback|ranking|push|dashboard|message|photos|commands …] [--quick] [--no-record]`: runs the
 * benchmarks (all but `commands`, the callback bench's command count alone, by default), prints their figures with the machine they ran on, and — for a
 * full run (not --quick) unless --no-record — appends them to bench/RESULTS.md.
 */
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { describeMachine, machineLine } from './machine';
import { callbackCommands, callbackPath } from './callback-path';
import { dashboardLoad } from './dashboard-load';
import { messageCost } from './message-cost';
import { photoReply } from './photo-reply';
import { pushDelivery } from './push-delivery';
import { rankingCity } from './ranking-city';
import { appendResults, formatResult, type BenchResult } from './report';

type Bench = (opts: { quick: boolean }) => Promise<BenchResult | null>;

const BENCHES: Record<string, Bench> = {
  callback: callbackPath,
  ranking: rankingCity,
  push: pushDelivery,
  dashboard: dashboardLoad,
  message: messageCost,
  photos: photoReply,
  commands: callbackCommands,
};

/** What a bare `npm run bench` runs: `commands` is part of `callback`. */
const DEFAULT = Object.keys(BENCHES).filter((name) => name !== 'commands');

/** Runs the named benchmarks; returns their results (a benchmark that cannot run returns null and says why). */
export async function runBenches(names: string[], opts: { quick: boolean; record: boolean; print?: (s: string) => void }): Promise<BenchResult[]> {
  const print = opts.print ?? ((s: string) => process.stdout.write(s + '\n'));
  const machine = describeMachine(path.resolve(__dirname, '..'));
  const startedAt = new Date();
  const t0 = performance.now();
  const all = names.length === DEFAULT.length && names.every((n) => DEFAULT.includes(n));
  const command = `npm run bench${all ? '' : ` -- ${names.join(' ')}`}${opts.quick ? (all ? ' -- --quick' : ' --quick') : ''}`;
  print(`楼院通 bench — ${machineLine(machine)}`);
  print(`Repeat: ${command}${opts.quick ? ' (quick: smoke-sized, figures not meaningful)' : ''}\n`);
  const results: BenchResult[] = [];
  for (const name of names) {
    print(`… ${name}`);
    let result: BenchResult | null;
    try {
      result = await BENCHES[name]!({ quick: opts.quick });
    } catch (err) {
      // One benchmark failing must not lose the others' figures: it is recorded as failed.
      result = {
        name,
        title: `${name}: FAILED`,
        command: `npm run bench -- ${name}${opts.quick ? ' --quick' : ''}`,
        tables: [],
        targets: [{ what: 'the benchmark ran', met: false, actual: String((err as Error).message ?? err).split('\n').slice(0, 6).join(' / ') }],
        notes: [],
      };
    }
    if (!result) continue;
    results.push(result);
    print(formatResult(result, machine));
  }
  const tookMs = performance.now() - t0;
  print(`Whole run: ${(tookMs / 60_000).toFixed(1)} min; load average now ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  if (opts.record && !opts.quick) {
    const caveats = [
      `The machine was shared: other work ran on its ${machine.cores} cores during the run (1-minute load average ${machine.loadAtStart} at the start, ${os.loadavg()[0]!.toFixed(2)} at the end), so absolute figures are pessimistic; the ratios within this run are the comparable part.`,
    ];
    appendResults(path.join(__dirname, 'RESULTS.md'), results, machine, { command, caveats, startedAt, tookMs });
    print('Appended to bench/RESULTS.md');
  }
  return results;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const quick = argv.includes('--quick');
  const record = !argv.includes('--no-record');
  const unknown = argv.filter((a) => a.startsWith('--') && a !== '--quick' && a !== '--no-record');
  const names = argv.filter((a) => !a.startsWith('--'));
  const bad = [...names.filter((n) => !(n in BENCHES)), ...unknown];
  if (bad.length) {
    console.error(`unknown benchmark or option: ${bad.join(', ')}\nusage: npm run bench -- [${Object.keys(BENCHES).join('|')} …] [--quick] [--no-record]`);
    process.exit(2);
  }
  await runBenches(names.length ? names : DEFAULT, { quick, record });
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
