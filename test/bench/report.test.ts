import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeMachine } from '../../bench/machine';
import { appendResults, formatTable, type BenchResult } from '../../bench/report';

const result: BenchResult = {
  name: 'push',
  title: 'Push delivery',
  engine: 'standin',
  command: 'npm run bench -- push',
  tables: [{ caption: 'Figures:', table: { headers: ['robots', '街道'], rows: [[500, '济源路'], [10, '新安路街道']] } }],
  targets: [{ what: 'no 45009', met: true, actual: '0' }, { what: 'p99 under 50 ms', met: false, actual: 'p99 80 ms' }],
  notes: ['Database: stand-in.'],
};

describe('bench results', () => {
  it('lines up table columns, counting CJK characters as two columns wide', () => {
    const lines = formatTable(result.tables[0]!.table).split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[2]).toBe('| 500    | 济源路     |');
    expect(lines[3]).toBe('| 10     | 新安路街道 |');
  });

  it('appends a dated section with the machine line, the command, the targets and the caveats', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'lyt-bench-test-')), 'RESULTS.md');
    const machine = describeMachine();
    const opts = { command: 'npm run bench', caveats: ['shared machine'], startedAt: new Date('2026-11-23T12:00:00Z'), tookMs: 90_000 };
    appendResults(file, [result], machine, opts);
    appendResults(file, [result], machine, { ...opts, startedAt: new Date('2026-11-24T12:00:00Z') });
    const text = readFileSync(file, 'utf8');
    expect(text.match(/^# Benchmark results/gm)).toHaveLength(1);
    expect(text).toContain('## 2026-11-23 12:00 UTC — `npm run bench`');
    expect(text).toContain('## 2026-11-24 12:00 UTC');
    expect(text).toContain(`CPU ${machine.cpu} · ${machine.cores} cores`);
    expect(text).toContain(`Node ${process.version}`);
    expect(text).toContain('DB standin');
    expect(text).toContain('Repeat: `npm run bench -- push`');
    expect(text).toContain('- NOT MET: p99 under 50 ms (p99 80 ms)');
    expect(text).toContain('- shared machine');
  });
});
