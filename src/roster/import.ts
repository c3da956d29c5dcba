/**
 * `npm run import -- FILE…`: imports a roster (.xlsx with the sheets 街道/社区/楼院/干部, or
 * CSV files, or a directory of them) into the database the app uses (MONGODB_URI, else the
 * embedded one in DATA_DIR — shared with a running `npm start` on the same DATA_DIR).
 *
 *   npm run import -- 花名册.xlsx            import
 *   npm run import -- 花名册.xlsx --dry-run  check and list every change, write nothing
 *   npm run import -- 花名册.xlsx --remove-missing
 *                                           also deactivate the people and courtyards left out
 *   npm run import -- src/roster/sample      the demo roster
 *   npm run import -- --template DIR         write the blank templates into DIR
 *
 * The report lists who and what is added, each field changed, and the people and
 * courtyards the file leaves out. Exit status: 0 imported, 1 the roster has problems (each
 * listed with its row; nothing written), 2 wrong usage.
 */
import { openDatabase, runCli } from '../cli';
import { loadConfig } from '../config';
import { createModels, syncIndexes } from '../db/models';
import { createLogger } from '../log';
import { formatImportResult, importRoster } from './import-roster';
import { writeRosterTemplates } from './template';

const USAGE = [
  '用法：npm run import -- 文件或目录… [--dry-run] [--remove-missing]    导入花名册（.xlsx，或 CSV 文件及其目录）',
  '      npm run import -- --template 目录                               写出空白模板',
  '  --dry-run         只检查，列出将新增、将更新（逐项）和不在花名册里的，不写入',
  '  --remove-missing  停用干部表、楼院表里没有的干部和楼院（不加只列出，不停用）',
].join('\n');
const FLAGS = ['--dry-run', '--remove-missing'];

async function main(argv: string[]): Promise<number> {
  const dryRun = argv.includes('--dry-run');
  const removeMissing = argv.includes('--remove-missing');
  const templateAt = argv.indexOf('--template');
  if (templateAt !== -1) {
    const dir = argv[templateAt + 1];
    if (!dir) return usage();
    for (const file of await writeRosterTemplates(dir)) process.stdout.write(`已写出 ${file}\n`);
    return 0;
  }
  const paths = argv.filter((a) => !a.startsWith('--'));
  if (paths.length === 0 || argv.some((a) => a.startsWith('--') && !FLAGS.includes(a))) return usage();

  const config = loadConfig();
  const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const db = await openDatabase(config, log);
  const { conn } = db;
  try {
    const models = createModels(conn);
    await syncIndexes(models);
    const result = await importRoster(models, paths, { dryRun, removeMissing });
    process.stdout.write(formatImportResult(result) + '\n');
    return result.problems.length ? 1 : 0;
  } finally {
    await db.close();
  }
}

function usage(): number {
  process.stderr.write(USAGE + '\n');
  return 2;
}

runCli(() => main(process.argv.slice(2)), (err) => (err instanceof Error && 'code' in err && err.code === 'ENOENT' ? `找不到文件：${(err as NodeJS.ErrnoException).path}` : err));
