import type { Models } from '../db/models';
import { applyRoster, type RosterCounts, type TableCounts } from './apply';
import { readRoster, type RosterProblem } from './read';
import { sheetSpec, type SheetKind } from './sheets';
import { validateRoster } from './validate';

export interface ImportResult {
  /** Every problem found; when there is any, nothing was written. */
  problems: RosterProblem[];
  /** What was (or, in a dry run, would be) created and updated; absent when there were problems. */
  counts?: RosterCounts;
  dryRun: boolean;
}

export interface ImportOptions {
  now?: Date;
  dryRun?: boolean;
}

/**
 * Imports roster files (.xlsx, .csv, or directories of them): reads and checks everything
 * first, and writes only when there is no problem at all, so a bad file changes nothing.
 * Importing the same roster again leaves the same records.
 */
export async function importRoster(models: Models, paths: readonly string[], opts: ImportOptions = {}): Promise<ImportResult> {
  const dryRun = opts.dryRun ?? false;
  const { sheets, problems } = await readRoster(paths);
  if (sheets.length === 0 && problems.length === 0) problems.push({ source: paths.join(' '), message: '没有找到任何表（街道、社区、楼院、干部）' });
  const checked = await validateRoster(models, sheets);
  problems.push(...checked.problems);
  if (problems.length) return { problems, dryRun };
  const counts = await applyRoster(models, checked.plan, { now: opts.now ?? new Date(), dryRun });
  return { problems, counts, dryRun };
}

const KINDS: SheetKind[] = ['streets', 'communities', 'courtyards', 'cadres'];

function line(kind: SheetKind, c: TableCounts): string {
  return `  ${sheetSpec(kind).label}：新增 ${c.created}，更新 ${c.updated}，未变 ${c.unchanged}`;
}

/** The import's outcome in Chinese, one line per table or per problem (with its row number). */
export function formatImportResult(result: ImportResult): string {
  if (result.problems.length) {
    return [
      `花名册有 ${result.problems.length} 处问题，没有导入任何数据：`,
      ...result.problems.map((p) => `  ${p.source}${p.row ? ` 第 ${p.row} 行` : ''}：${p.message}`),
    ].join('\n');
  }
  const counts = result.counts!;
  return [result.dryRun ? '试导入（--dry-run，未写入）：' : '花名册已导入：', ...KINDS.map((k) => line(k, counts[k]))].join('\n');
}
