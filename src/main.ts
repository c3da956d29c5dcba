import { ConfigError, loadConfig } from './config';
import { connectMongoose, startStorage } from './db/connect';
import { createApp } from './http/app';
import { createLogger } from './log';

/** Composition root: config → storage → app → listen; clean shutdown on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  const storage = await startStorage({ mongodbUri: config.mongodbUri, dataDir: config.dataDir, log });
  log.info({ engine: storage.engine }, `storage engine: ${storage.engine}`);
  const conn = await connectMongoose(storage.uri);

  const app = createApp({
    log,
    engine: storage.engine,
    pingDb: async () => {
      await conn.db!.admin().ping();
    },
  });
  const server = app.listen(config.port, config.host, () => {
    log.info({ port: config.port }, `楼院通 listening on http://localhost:${config.port}`);
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    server.close();
    await conn.close().catch(() => {});
    await storage.stop().catch(() => {});
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
