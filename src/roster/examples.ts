/**
 * The template's example rows, which must never be imported: an office types its rows
 * below them and leaves them in. Today's template marks each with 「示例」 at the start of
 * its first cell. Templates written before that carried the same rows unmarked; those are
 * recognised by their exact cells. Their street, community and courtyard are real places
 * of 上街区 (the sample roster has them too), so such a row is still imported when another
 * row of the file names it; the made-up person 张三 never is.
 */
import { nameKey } from '../text/normalize';
import type { RawSheet, RosterProblem } from './read';
import { SHEETS, type SheetKind } from './sheets';
import { sheetRow, type At, type SheetRow } from './validate-rows';

/** Starts the first cell of an example row in the template. */
export const EXAMPLE_MARK = '「示例」';

/** 「示例」…, 【示例】…, (示例)…, 示例：…, or just 示例. */
const MARKED = /^[「【[(]?示例(?:[」】\]):]|$)/;

/** The example rows of templates before the mark, cell by cell in column order. */
const OLD_EXAMPLES: Record<SheetKind, readonly string[]> = {
  streets: ['济源路街道', '济源路', '上街区', '街道'],
  communities: ['三湾街社区', '济源路街道', ''],
  courtyards: ['三湾街18号楼', '济源路街道', '三湾街社区', '三湾街18号', '120', '9', '无主管楼院', '自管', '临时党支部', '已建', '自管会', '已建', '1', '否'],
  cadres: ['张三', '区医保局', '13800000001', 'zhangsan', '干部', '', '三湾街18号楼'],
};

/** `cells` (in column order) as the template writes them: marked as an example. */
export function markExample(cells: readonly string[]): string[] {
  return cells.map((c, i) => (i === 0 ? `${EXAMPLE_MARK}${c}` : c));
}

function isOldExample(kind: SheetKind, row: SheetRow): boolean {
  const columns = SHEETS.find((s) => s.kind === kind)!.columns;
  const cells = row.cells as Readonly<Record<string, string>>;
  // Columns added since (the self-governing body's contact) were not in those templates: empty.
  return columns.every((c, i) => cells[c.key] === (OLD_EXAMPLES[kind][i] ?? ''));
}

export interface SortedRows {
  /** The rows to check, per table. */
  rows: Record<SheetKind, SheetRow[]>;
  /** Example rows left out, each with why, per table. */
  skipped: Record<SheetKind, RosterProblem[]>;
  /** Old templates' example rows of places: imported only if another row names them. */
  candidates: { kind: SheetKind; at: At }[];
}

export const OLD_EXAMPLE_SKIPPED = '与旧版模板的示例行完全相同，当作示例，未导入（确是真实数据的话，改动其中一格再导入）';

/** Sets the template's example rows apart from the rows to import. */
export function sortOutExamples(sheets: readonly RawSheet[]): SortedRows {
  const out: SortedRows = {
    rows: { streets: [], communities: [], courtyards: [], cadres: [] },
    skipped: { streets: [], communities: [], courtyards: [], cadres: [] },
    candidates: [],
  };
  for (const spec of SHEETS) {
    const rows = sheets.filter((s) => s.spec.kind === spec.kind).flatMap((s) => s.rows.map((r) => sheetRow(s.source, r)));
    for (const row of rows) {
      if (MARKED.test(row.cells.name.normalize('NFKC'))) {
        out.skipped[spec.kind].push({ ...row.at, message: '模板的示例行，未导入' });
      } else if (!isOldExample(spec.kind, row)) {
        out.rows[spec.kind].push(row);
      } else if (spec.kind === 'cadres' || rows.some((r) => r !== row && nameKey(r.cells.name) === nameKey(row.cells.name))) {
        // A made-up person, or a place the file lists again: the example it is.
        out.skipped[spec.kind].push({ ...row.at, message: OLD_EXAMPLE_SKIPPED });
      } else {
        out.rows[spec.kind].push(row);
        out.candidates.push({ kind: spec.kind, at: row.at });
      }
    }
  }
  return out;
}
