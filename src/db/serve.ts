/**
 * `npm run db`: starts the embedded database on its own (the same resolver as the app: a
 * mongod when one can be had, else the stand-in; data in DATA_DIR) and prints its URI, so
 * that any MongoDB client — mongosh, Compass, a script, the app with MONGODB_URI — can use it.
 * Runs until Ctrl-C.
 */
import { ConfigError, loadConfig } from '../config';
import { createLogger } from '../log';
import { mongodDownloadTimeoutMs, startStorage } from './connect';

/** The usual MongoDB port when it is free, else any. */
const PREFERRED_PORT = 27017;

async function main(): Promise<void> {
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

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
