/**
 * `npm run restore -- FILE`: restores a backup archive (`npm run backup`, or the daily one in
 * $DATA_DIR/backups) into the app's database, which must be empty; checks every count.
 * Exit status: 0 done, 1 refused or failed, 2 wrong usage.
 */
import path from 'node:path';
import { openDatabase, runCli } from '../cli';
import { loadConfig } from '../config';
import { createLogger } from '../log';
import { beijingTimestamp } from './backup';
import { restoreBackup, RestoreRefused } from './restore';

const USAGE = [
  '用法：npm run restore -- 备份文件.tar.gz',
  '',
  '把备份恢复到空数据库（MONGODB_URI，未设置时为 $DATA_DIR 下的内置数据库），并核对每个集合的记录数。',
  '先停止程序（npm start）；内置数据库请先把 $DATA_DIR/standin 改名保存，不要删除。',
].join('\n');

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (argv.length !== 1 || argv[0]!.startsWith('-')) {
    process.stderr.write(`${argv.length ? `看不懂参数：${argv.join(' ')}` : '要恢复哪个备份文件？'}\n\n${USAGE}\n`);
    return 2;
  }
  const file = path.resolve(argv[0]!);
  const config = loadConfig();
  const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const db = await openDatabase(config, log, { download: false });
  const { conn } = db;
  const out = (s = '') => process.stdout.write(s + '\n');
  try {
    out(`正在把 ${file} 恢复到数据库 ${conn.db!.databaseName}（${config.mongodbUri ? 'MONGODB_URI' : `内置数据库，${config.dataDir}`}）……`);
    const result = await restoreBackup(conn.db!, file);
    const m = result.manifest;
    out(`备份于 ${beijingTimestamp(new Date(m.createdAt))}（北京时间），来自数据库 ${m.database}（${m.engine === 'standin' ? '内置数据库' : 'MongoDB'} ${m.serverVersion}）`);
    for (const c of result.collections) out(`   ${c.name.padEnd(24)} ${String(c.count).padStart(8)} 条  ${c.indexes} 个索引  ✓`);
    const docs = result.collections.reduce((n, c) => n + c.count, 0);
    out(`✅ 恢复完成：${result.collections.length} 个集合，${docs} 条记录，与备份清单一致。现在可以启动：npm start`);
    return 0;
  } catch (err) {
    if (!(err instanceof RestoreRefused)) throw err;
    process.stderr.write(`❌ ${err.message}\n`);
    return 1;
  } finally {
    await db.close();
  }
}

runCli(() => main(process.argv.slice(2)), (err) => `恢复没有完成：${err instanceof Error ? err.message : String(err)}`);
