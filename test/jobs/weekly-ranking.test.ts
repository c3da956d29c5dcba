import ExcelJS from 'exceljs';
import { utf8Bytes } from '../../src/text/markdown';
import { bindGroup, bj, calendar, openBench, type Bench } from './harness';

/** Width and height from a PNG's IHDR chunk (after the 8-byte signature). */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(png.toString('latin1', 12, 16)).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('the weekly ranking of a district of 200 courtyards', () => {
  let bench: Bench;
  beforeAll(async () => {
    bench = await openBench(bj('2020-09-28 09:00'));
    const { models } = bench;
    const streets = await models.Street.insertMany(Array.from({ length: 8 }, (_, i) => ({ name: `第${i + 1}街道` })));
    const yards = await models.Courtyard.insertMany(Array.from({ length: 200 }, (_, i) => ({ name: `楼院${i + 1}`, street: streets[i % 8]!._id })));
    const cadres = await models.Cadre.insertMany(yards.map((y, i) => ({ name: `干部${i + 1}`, unit: '区直单位', userId: `u${i + 1}`, courtyards: [y._id] })));
    // Three projects each, due 09-10, 09-14 and 09-18: on 09-28 all 600 are more than 7 days late, far more than one message holds.
    await models.Project.insertMany(
      yards.flatMap((y, i) =>
        [0, 1, 2].map((k) => ({
          no: i * 3 + k + 1,
          courtyard: y._id,
          street: y.street,
          category: '工程',
          title: `项目${k}`,
          owner: cadres[i]!._id,
          deadline: bj(`2020-09-${String(10 + k * 4).padStart(2, '0')} 00:00`),
          percent: (i * 7 + k * 30) % 100,
          createdAt: bj('2020-09-01 09:00'),
        })),
      ),
    );
    await bindGroup(bench, 'lead', { kind: 'district' }, 'leadership');
    await bindGroup(bench, 'street1', { kind: 'street', refId: String(streets[0]!._id) });
  }, 120_000);
  afterAll(() => bench.close());

  it('keeps each markdown under 4,096 bytes and sends a readable chart and table', async () => {
    const app = await bench.instance();
    const run = await app.scheduler.runNow('weekly-ranking', bench.now(), { dryRun: true });
    expect(run.pushes.map((p) => `${p.targetKey}:${p.part}:${p.payload.type}`)).toEqual([
      'grp-lead:ranking:markdown',
      'grp-lead:chart:image',
      'grp-lead:table:file',
      'grp-street1:ranking:markdown',
    ]);
    const [lead, chart, table, street] = run.pushes.map((p) => p.payload);
    if (lead?.type !== 'markdown' || street?.type !== 'markdown' || chart?.type !== 'image' || table?.type !== 'file') throw new Error('unexpected payloads');

    // 8 streets all listed; 600 items overdue more than 7 days, trimmed with a note.
    expect(utf8Bytes(lead.content)).toBeLessThan(4096);
    expect(lead.content.match(/^\d+\. 第\d街道 /gm)).toHaveLength(8);
    expect(lead.content).toContain('逾期超过 7 天（600 项）');
    expect(lead.content).toMatch(/……另有 \d+ 项，发送 \/逾期 查看/);
    // 25 courtyards in a street: the top and bottom five; cadres' top and bottom three.
    expect(utf8Bytes(street.content)).toBeLessThan(4096);
    expect(street.content).toContain('……（共 25 个，中间 15 个略）');
    expect(street.content).toContain('**干部前三**');

    expect(pngSize(chart.png)).toEqual({ width: 1000, height: 130 + 8 * 48 });

    const book = new ExcelJS.Workbook();
    await book.xlsx.load(table.data as unknown as ArrayBuffer);
    const names = book.worksheets.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['第1街道', '第8街道']));
    const courtyardRows = book.worksheets
      .filter((s) => /^第\d街道$/.test(s.name))
      .flatMap((s) => s.getSheetValues().filter((row) => Array.isArray(row) && row.some((c) => typeof c === 'string' && /^楼院\d+$/.test(c))));
    expect(courtyardRows).toHaveLength(200);
    expect(calendar.isWorkingDay(run.sendAt)).toBe(true);
  }, 120_000);
});
