import { readFileSync } from 'node:fs';
import path from 'node:path';
import { csvLine, decodeCsv, parseCsv } from '../../src/roster/csv';

describe('CSV', () => {
  it('reads quoted cells with commas, quotes and line breaks, CRLF or LF', () => {
    expect(parseCsv('a,"b,c","say ""hi"""\r\n"two\nlines",x,\n')).toEqual([
      ['a', 'b,c', 'say "hi"'],
      ['two\nlines', 'x', ''],
    ]);
  });

  it('writes what it reads', () => {
    const row = ['东方花园', 'a,b', '"q"', 'line\nbreak'];
    expect(parseCsv(csvLine(row))).toEqual([row]);
  });

  it('reads UTF-8 with a BOM, and Excel’s GB18030 (GBK) files', () => {
    expect(decodeCsv(Buffer.from('\uFEFF街道名称\r\n', 'utf8'))).toBe('街道名称\r\n');
    const gbk = readFileSync(path.join(__dirname, 'fixtures/streets-gbk.csv'));
    expect(parseCsv(decodeCsv(gbk))[1]).toEqual(['济源路街道', '济源路', '上街区']);
  });
});
