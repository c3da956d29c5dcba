import type { Models } from '../db/models';
import { applyRoster, type RosterCounts } from './apply';
import { settleListed, type ListModel } from './missing';
import { readRoster, type RosterProblem } from './read';
import { describeImport, type ImportReport } from './report';
import { validateRoster } from './validate';

export { formatImportResult } from './report';

export interface ImportResult {
  /** Every problem found; when there is any, nothing was written. */
  problems: RosterProblem[];
  /** The template's example rows, left out. */
  skipped: RosterProblem[];
  /** What was (or, in a dry run, would be) created and updated; absent when there were problems. */
  counts?: RosterCounts;
  /** Who and what was (would be) added, changed field by field, left out, deactivated; absent when there were problems. */
  report?: ImportReport;
  dryRun: boolean;
  removeMissing: boolean;
}

export interface ImportOptions {
  now?: Date;
  dryRun?: boolean;
  /** Deactivate the people and courtyards a 干部 / 楼院 sheet leaves out (else they are only reported). */
  removeMissing?: boolean;
}

/**
 * Imports roster files (.xlsx, .csv, or directories of them): reads and checks everything
 * first, and writes only when there is no problem at all, so a bad file changes nothing.
 * Importing the same roster again leaves the same records.
 */
export async function importRoster(models: Models, paths: readonly string[], opts: ImportOptions = {}): Promise<ImportResult> {
  const dryRun = opts.dryRun ?? false;
  const removeMissing = opts.removeMissing ?? false;
  const now = opts.now ?? new Date();
  const { sheets, problems } = await readRoster(paths);
  if (sheets.length === 0 && problems.length === 0) problems.push({ source: paths.join(' '), message: '没有找到任何表（街道、社区、楼院、干部）' });
  const checked = await validateRoster(models, sheets, { removeMissing });
  problems.push(...checked.problems);
  const result = { problems, skipped: checked.skipped, dryRun, removeMissing };
  if (problems.length) return result;
  const { counts, records } = await applyRoster(models, checked.plan, { now, dryRun });
  const listed: ListModel[] = [...(checked.plan.courtyards.length ? ['Courtyard' as const] : []), ...(checked.plan.cadres.length ? ['Cadre' as const] : [])];
  const states = await settleListed(models, records, { now, dryRun, removeMissing, listed });
  return { ...result, counts, report: await describeImport(models, records, states) };
}
