import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Models } from '../db/models';
import type { Logger } from '../log';
import { formatImportResult, importRoster } from './import-roster';

/**
 * The demo roster (src/roster/sample/*.csv): streets and courtyards named in the seed
 * bulletins of 上街区, with fictional cadres. Found next to this file under tsx, and in the
 * source tree when running from dist/.
 */
export function sampleRosterDir(): string {
  const candidates = [path.join(__dirname, 'sample'), path.resolve(__dirname, '../../../src/roster/sample')];
  const dir = candidates.find((d) => existsSync(path.join(d, 'streets.csv')));
  if (!dir) throw new Error(`sample roster not found in ${candidates.join(' or ')}`);
  return dir;
}

/**
 * For local mode: with no street and no person in the database, imports the sample roster,
 * so that a fresh `npm start` can be talked to at once (admin: userid `admin`). Returns
 * whether it imported.
 */
export async function importSampleRosterIfEmpty(models: Models, log: Logger, now: Date = new Date()): Promise<boolean> {
  const [streets, cadres] = await Promise.all([models.Street.countDocuments(), models.Cadre.countDocuments()]);
  if (streets > 0 || cadres > 0) return false;
  const result = await importRoster(models, [sampleRosterDir()], { now });
  if (result.problems.length) {
    log.error({ problems: result.problems }, `the sample roster did not import:\n${formatImportResult(result)}`);
    return false;
  }
  log.info({ counts: result.counts }, 'empty database: imported the sample roster (src/roster/sample); admin userid "admin", leader userid "leader"');
  return true;
}
