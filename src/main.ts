import { createDispatcher } from './bot/dispatcher';
import { createDashboardRouter } from './dashboard/router';
import { ConfigError, devCredentialsPath, loadConfig, type Config } from './config';
import { connectMongoose, startStorage } from './db/connect';
import { createModels, syncIndexes } from './db/models';
import { importSampleRosterIfEmpty } from './roster/sample';
import { LOCAL_GROUPS, bindLocalGroups } from './sim/local-groups';
import { createCalendar } from './services/calendar';
import { createScheduler } from './jobs/scheduler';
import { createApp } from './http/app';
import { createLogger } from './log';
import { createWeComClient } from './wecom/client';
import { WECOM_PATHS, createWeComRouter } from './wecom/ingress/router';
import { createOutbox } from './wecom/outbox';

/** What `npm start` prints in local mode: where to send callbacks and how to talk to the bot. */
function localBanner(config: Config): string {
  const base = `http://localhost:${config.port}`;
  return [
    '',
    '楼院通 — 本地模式（未配置企业微信凭据 WECOM_TOKEN / WECOM_ENCODING_AES_KEY / WECOM_CORP_ID）',
    `  回调地址：${base}${WECOM_PATHS.aibot}（智能机器人） ${base}${WECOM_PATHS.bot}（群机器人） ${base}${WECOM_PATHS.app}（自建应用）`,
    `  开发用凭据（${devCredentialsPath(config.dataDir)}）：`,
    `    Token=${config.wecom.token}  EncodingAESKey=${config.wecom.encodingAesKey}  CorpID=${config.wecom.corpId}`,
    `  推送发往 ${config.wecom.apiBase}（模拟器的 webhook 接收端）`,
    '  在另一个终端运行 `npm run chat`，扮演企业微信群与机器人对话（默认你是张三，在东方花园工作群）。',
    `  示例花名册已导入，已绑定的群：${LOCAL_GROUPS.map((g) => g.name).join('、')}；换人换群：npm run chat -- --user 王管理 --group 区领导群`,
    '',
  ].join('\n');
}

/** Composition root: config → storage → mongoose → WeCom client and outbox → commands → app → listen. */
async function main(): Promise<void> {
  let config: Config;
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

  const client = createWeComClient({
    apiBase: config.wecom.apiBase,
    corpId: config.wecom.corpId,
    corpSecret: config.wecom.corpSecret,
    agentId: config.wecom.agentId,
    log,
  });
  const outbox = createOutbox({ conn, client, log, perMinute: config.push.perMinute, maxAttempts: config.push.maxAttempts });
  outbox.start();

  const models = createModels(conn);
  await syncIndexes(models);
  if (config.mode === 'local' && (await importSampleRosterIfEmpty(models, log))) await bindLocalGroups(models, config.wecom.apiBase);
  const calendar = createCalendar({ dataDir: config.dataDir, log });
  const handle = createDispatcher({ models, config, log, outbox, wecom: client, calendar });
  // SCHEDULER=off: this process sends no scheduled pushes (another one does, or none should).
  const scheduler = config.scheduler ? createScheduler({ models, conn, config, log, outbox, calendar }) : undefined;
  const wecom = createWeComRouter({ config, log, conn, handle, outbox });
  const dashboard = createDashboardRouter({ models, config, log, calendar, keepDistrictFresh: true });
  const app = createApp({
    log,
    engine: storage.engine,
    pingDb: async () => {
      await conn.db!.admin().ping();
    },
    routers: [wecom, dashboard],
  });
  const server = app.listen(config.port, config.host, () => {
    log.info({ port: config.port, mode: config.mode }, `楼院通 listening on http://localhost:${config.port}`);
    scheduler?.start().catch((err: unknown) => log.error({ err }, 'scheduler did not start — scheduled pushes are off until a restart; is MongoDB reachable?'));
    if (config.mode === 'local') process.stdout.write(localBanner(config) + '\n');
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await scheduler?.stop().catch((err: unknown) => log.error({ err }, 'scheduler did not stop cleanly'));
    await outbox.stop().catch((err: unknown) => log.error({ err }, 'outbox did not stop cleanly'));
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
