/**
 * `npm run db`: starts the embedded database on its own (the same resolver as the app: a
 * mongod when one can be had, else the stand-in; data in DATA_DIR) and prints its URI, so
 * that any MongoDB client — mongosh, Compass, a script, the app with MONGODB_URI — can use it.
 * Runs until Ctrl-C.
 *
 * `npm run db -- --repair`: salvages a damaged stand-in data directory (src/db/standin/repair.ts)
 * and prints what was lost.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig, type Config } from '../config';
import { createLogger } from '../log';
import { mongodDownloadTimeoutMs, startStorage } from './connect';
import { StartRefused } from './standin/errors';
import { repairDataDir, type RepairReport } from './standin/repair';

/** The usual MongoDB port when it is free, else any. */
const PREFERRED_PORT = 27017;

/** The repair report, in Chinese, for the operator. */
export function formatRepairReport(r: RepairReport): string {
  const lines: string[] = [];
  if (r.repaired.length === 0) lines.push(`检查了 ${r.dir}：没有发现损坏的数据文件，什么也没有改动。`);
  for (const f of r.repaired) {
    lines.push(`已修复 ${f.name}（原文件已另存为 ${f.original}）：`);
    lines.push(`  保留了损坏处之前的 ${f.keptBefore} 条记录和之后能通过校验的 ${f.keptAfter} 条记录；文件从 ${f.sizeBefore} 字节变为 ${f.sizeAfter} 字节。`);
    for (const s of f.lost) {
      const which = s.seqs ? (s.seqs[0] === s.seqs[1] ? `第 ${s.seqs[0]} 条写入` : `第 ${s.seqs[0]}–${s.seqs[1]} 条写入（共 ${s.seqs[1] - s.seqs[0] + 1} 条）`) : '一段快照记录';
      lines.push(`  丢失：第 ${s.from}–${s.to} 字节（${s.to - s.from} 字节），${which}。`);
      if (s.seemed.length > 0) {
        lines.push(`  这段数据无法校验，按原样读出，其中似乎是以下 ${s.seemedCount} 项改动（仅供核对、补录，可能有误）：`);
        for (const op of s.seemed) lines.push(`    - ${op}`);
        if (s.seemedCount > s.seemed.length) lines.push(`    - ……另有 ${s.seemedCount - s.seemed.length} 项`);
      } else lines.push('  这段数据已无法读出其中的内容。');
    }
  }
  if (r.tornTail) lines.push(`${r.tornTail.name} 末尾有 ${r.tornTail.bytes} 字节的残缺记录（断电或强行结束时正在写入、从未确认的写入），启动时会自动丢弃。`);
  if (r.repaired.length > 0) lines.push('现在可以正常启动（npm start）。丢失的写入请按上面的清单核对后补录。');
  return lines.join('\n');
}

function repair(config: Config): number {
  const dir = path.join(config.dataDir, 'standin');
  if (!fs.existsSync(dir)) {
    console.error(`${dir} 不存在：DATA_DIR=${config.dataDir} 下没有内置数据库（stand-in）的数据。`);
    return 1;
  }
  try {
    process.stdout.write(formatRepairReport(repairDataDir(dir)) + '\n');
    return 0;
  } catch (err) {
    console.error(`修复没有完成：${(err as Error).message}`);
    return 1;
  }
}

async function main(argv: string[]): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78);
    }
    throw err;
  }
  if (argv.includes('--repair')) process.exit(repair(config));
  const log = createLogger(config.logLevel);
  if (config.mongodbUri) process.stderr.write('已设置 MONGODB_URI，但 npm run db 总是启动内置数据库\n');
  const storage = await startStorage({ dataDir: config.dataDir, log, port: PREFERRED_PORT, downloadTimeoutMs: mongodDownloadTimeoutMs(config) });
  process.stdout.write(`${storage.uri}\n`);
  const engine = storage.engine === 'standin' ? '内置替身（stand-in，仅供开发和测试）' : 'mongod';
  process.stderr.write(`数据库 ${engine} 已启动，数据目录 ${config.dataDir}；用上面的地址连接（例如 MONGODB_URI=${storage.uri} npm start）。按 Ctrl-C 停止。\n`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await storage.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main(process.argv.slice(2)).catch((err) => {
  console.error(err instanceof StartRefused ? err.message : err);
  process.exit(1);
});
