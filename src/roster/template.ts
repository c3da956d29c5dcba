import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { csvLine } from './csv';
import { markExample } from './examples';
import { SHEETS } from './sheets';

const CSV_NAMES = { streets: 'streets.csv', communities: 'communities.csv', courtyards: 'courtyards.csv', cadres: 'cadres.csv' } as const;

const GUIDE = [
  '花名册填写说明',
  '',
  '一个 Excel 文件四张表：街道、社区、楼院、干部（也可以每张表单独存成一个 CSV 文件，第一行是表头）。',
  '表头带 * 的列必须填写；其余列可以空着。空着的格子不会覆盖系统里已有的内容（如群里用 /组织 记录的情况）。',
  '重复导入同一份花名册不会产生重复记录：街道按名称、社区和楼院按“街道+名称”、干部按企业微信账号或“姓名+单位”对应。',
  '每张表第 2 行是示例，第一格以「示例」开头：导入时跳过，可以留着，在它下面填写；自己的行不要以「示例」开头。',
  '有任何一行填写有误，整份花名册都不会导入，并列出每个出错的行号。',
  '导入：npm run import -- 花名册.xlsx（先试一下：加 --dry-run，会列出将新增的、逐项列出将更新的）',
  '干部表、楼院表是全区的完整名单：不在表里的干部和楼院会被列出；加 --remove-missing 才停用（停用后查不到，从下一期起不参与排名）。',
  '',
];

/** Writes the roster templates into `dir`: roster-template.xlsx (with a 说明 sheet) and one CSV per table. */
export async function writeRosterTemplates(dir: string): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  // Loaded when needed: it costs most of a second at every start otherwise.
  const { Workbook } = (await import('exceljs')).default;
  const workbook = new Workbook();
  const guide = workbook.addWorksheet('说明');
  guide.getColumn(1).width = 24;
  guide.getColumn(2).width = 90;
  for (const text of GUIDE) guide.addRow([text]);
  guide.getRow(1).font = { bold: true, size: 14 };
  const written: string[] = [];
  for (const sheet of SHEETS) {
    guide.addRow([`【${sheet.label}】`]).font = { bold: true };
    for (const c of sheet.columns) guide.addRow([`${c.headers[0]}${c.required ? '*' : ''}`, c.note ?? '']);
    guide.addRow([]);

    const headers = sheet.columns.map((c) => `${c.headers[0]}${c.required ? '*' : ''}`);
    const ws = workbook.addWorksheet(sheet.label);
    ws.addRow(headers).font = { bold: true };
    ws.addRow(markExample(sheet.example)).font = { italic: true, color: { argb: 'FF808080' } };
    ws.columns.forEach((col) => (col.width = 16));
    ws.views = [{ state: 'frozen', ySplit: 1 }];

    const csv = path.join(dir, CSV_NAMES[sheet.kind]);
    writeFileSync(csv, '\uFEFF' + [csvLine(headers), csvLine(markExample(sheet.example))].join('\r\n') + '\r\n');
    written.push(csv);
  }
  const xlsx = path.join(dir, 'roster-template.xlsx');
  await workbook.xlsx.writeFile(xlsx);
  return [xlsx, ...written];
}
