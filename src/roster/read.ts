import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { decodeCsv, parseCsv } from './csv';
import { detectSheet, mapHeaders, SHEETS, type SheetSpec } from './sheets';

/** One data row: its row number in the sheet (the header is row 1) and its cells by field. */
export interface RosterRow {
  row: number;
  cells: Record<string, string>;
}

/** A table read from a file: an xlsx sheet or a CSV file. */
export interface RawSheet {
  spec: SheetSpec;
  /** Where it came from, for messages: `roster.xlsx「楼院」` or `courtyards.csv`. */
  source: string;
  rows: RosterRow[];
}

/** Something wrong in the roster, at a row when there is one. */
export interface RosterProblem {
  source: string;
  row?: number;
  message: string;
}

const SUPPORTED = /\.(xlsx|csv)$/i;
/** Sheets of the template that hold no data. */
const IGNORED_SHEETS = /^(说明|填写说明|readme|notes?)$/i;

/** The files to read: each path itself, or the .xlsx/.csv files in a directory (by name). */
export function rosterFiles(paths: readonly string[]): string[] {
  return paths.flatMap((p) => {
    if (statSync(p).isDirectory()) {
      return readdirSync(p)
        .filter((f) => SUPPORTED.test(f) && !f.startsWith('~$'))
        .sort()
        .map((f) => path.join(p, f));
    }
    return [p];
  });
}

function toSheet(source: string, grid: string[][], problems: RosterProblem[]): RawSheet | undefined {
  const headerIndex = grid.findIndex((cells) => cells.some((c) => c.trim() !== ''));
  if (headerIndex === -1) return undefined;
  const headers = grid[headerIndex]!;
  const spec = detectSheet(headers);
  if (!spec) {
    const keys = SHEETS.map((s) => s.columns[0]!.headers[0]).join('、');
    problems.push({ source, row: headerIndex + 1, message: `认不出是哪张表：表头应含 ${keys} 之一` });
    return undefined;
  }
  const fields = mapHeaders(spec, headers);
  const missing = spec.columns.filter((c) => c.required && !fields.includes(c.key)).map((c) => c.headers[0]);
  if (missing.length) {
    problems.push({ source, row: headerIndex + 1, message: `缺少必填列：${missing.join('、')}` });
    return undefined;
  }
  const rows: RosterRow[] = [];
  grid.slice(headerIndex + 1).forEach((cells, i) => {
    if (cells.every((c) => c.trim() === '')) return;
    const row: Record<string, string> = {};
    fields.forEach((key, col) => {
      if (key) row[key] = (cells[col] ?? '').trim();
    });
    rows.push({ row: headerIndex + 2 + i, cells: row });
  });
  return { spec, source, rows };
}

async function readXlsx(file: string, problems: RosterProblem[]): Promise<RawSheet[]> {
  // Loaded when needed: it costs most of a second at every start otherwise.
  const { Workbook } = (await import('exceljs')).default;
  const workbook = new Workbook();
  try {
    await workbook.xlsx.readFile(file);
  } catch (err) {
    problems.push({ source: path.basename(file), message: `不是有效的 Excel 文件（${(err as Error).message}）` });
    return [];
  }
  const sheets: RawSheet[] = [];
  workbook.eachSheet((ws) => {
    if (IGNORED_SHEETS.test(ws.name.trim())) return;
    const grid: string[][] = [];
    for (let r = 1; r <= ws.rowCount; r++) {
      const row = ws.getRow(r);
      const cells: string[] = [];
      for (let c = 1; c <= ws.columnCount; c++) cells.push(row.getCell(c).text ?? '');
      grid.push(cells);
    }
    const sheet = toSheet(`${path.basename(file)}「${ws.name}」`, grid, problems);
    if (sheet) sheets.push(sheet);
  });
  return sheets;
}

/**
 * Reads roster files (.xlsx with one sheet per table, or one .csv per table; directories
 * are expanded). Tables are recognised by their header row; problems with whole files or
 * headers are returned, not thrown.
 */
export async function readRoster(paths: readonly string[]): Promise<{ sheets: RawSheet[]; problems: RosterProblem[] }> {
  const problems: RosterProblem[] = [];
  const sheets: RawSheet[] = [];
  for (const file of rosterFiles(paths)) {
    if (/\.xlsx$/i.test(file)) {
      sheets.push(...(await readXlsx(file, problems)));
    } else if (/\.csv$/i.test(file)) {
      const sheet = toSheet(path.basename(file), parseCsv(decodeCsv(readFileSync(file))), problems);
      if (sheet) sheets.push(sheet);
    } else {
      problems.push({ source: path.basename(file), message: '只支持 .xlsx 和 .csv 文件' });
    }
  }
  return { sheets, problems };
}
