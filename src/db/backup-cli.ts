/**
 * `npm run backup [-- DIR]`: writes a backup archive of the app's database (MONGODB_URI, else
 * the embedded one in DATA_DIR — shared with a running `npm start`) into DIR (default
 * $DATA_DIR/backups) and prints what it holds. Restore with `npm run restore -- FILE`.
 * Exit status: 0 done, 1 failed, 2 wrong usage.
 */
import path from 'node:path';
import { openDatabase, runCli } from '../cli';
import { loadConfig } from '../config';
import { createLogger } from '../log';
import { beijingTimestamp, createBackup } from './backup';

const USAGE = [
  '用法：npm run backup [-- 目录]',
  '',
  '把数据库完整备份为一个 .tar.gz 文件（默认放在 $DATA_DIR/backups），恢复：npm run restore -- 文件',
].join('\n');

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (argv.length > 1 || argv.some((a) => a.startsWith('-'))) {
    process.stderr.write(`看不懂参数：${argv.join(' ')}\n\n${USAGE}\n`);
    return 2;
  }
  const config = loadConfig();
  const dir = path.resolve(argv[0] ?? path.join(config.dataDir, 'backups'));
  const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const db = await openDatabase(config, log, { download: false });
  const { conn } = db;
  try {
    const out = (s = '') => process.stdout.write(s + '\n');
    out(`正在备份数据库 ${conn.db!.databaseName}（${config.mongodbUri ? 'MONGODB_URI' : `内置数据库，${config.dataDir}`}）……`);
    const { file, manifest } = await createBackup(conn.db!, { dir });
    const docs = manifest.collections.reduce((n, c) => n + c.count, 0);
    const mb = manifest.collections.reduce((n, c) => n + c.bytes, 0) / 2 ** 20;
    out(`✅ 备份完成：${file}`);
    out(`   时间 ${beijingTimestamp(new Date(manifest.createdAt))}（北京时间），${manifest.collections.length} 个集合，${docs} 条记录，${mb.toFixed(1)} MB（未压缩）`);
    for (const c of manifest.collections) out(`   ${c.name.padEnd(24)} ${String(c.count).padStart(8)} 条`);
    if (!manifest.pointInTime) out('   各集合依次读取：备份时如果仍有写入，不同集合之间可能相差几秒（副本集上是同一时刻的快照）。');
    out(`恢复：npm run restore -- ${file}`);
    return 0;
  } finally {
    await db.close();
  }
}

runCli(() => main(process.argv.slice(2)), (err) => `备份没有完成：${err instanceof Error ? err.message : String(err)}`);
