import { createServer, type AddressInfo } from 'node:net';
import { ConfigError, devCredentialsPath, loadConfig, type Config } from './config';
import { StartRefused } from './db/standin/errors';
import type { Models } from './db/models';
import { importSampleRosterIfEmpty } from './roster/sample';
import { bindLocalGroups } from './local/local-groups';
import { chatCommand, localUrl, readServerFile, removeServerFile, serverFilePath, writeServerFile } from './server-file';
import { createLogger } from './log';
import { openDatabase } from './cli';
import { createRuntime } from './runtime';
import { WECOM_PATHS } from './wecom/ingress/router';

/** What the database holds at start, for the banner. */
interface StartState {
  engine: string;
  /** The sample roster was imported by this start (the database was empty). */
  sampleImported: boolean;
  courtyards: number;
  cadres: number;
  /** Names of the groups bound to a scope. */
  groups: string[];
}

async function startState(models: Models, engine: string, sampleImported: boolean): Promise<StartState> {
  const [courtyards, cadres, groups] = await Promise.all([
    models.Courtyard.countDocuments(),
    models.Cadre.countDocuments(),
    models.Group.find({ active: { $ne: false }, 'scope.kind': { $exists: true } }, { name: 1, chatId: 1 }).sort({ name: 1 }).lean(),
  ]);
  return { engine, sampleImported, courtyards, cadres, groups: groups.map((g) => g.name || g.chatId) };
}

/** What `npm start` prints in local mode: where it serves, what it holds, and how to talk to it. */
function localBanner(config: Config, state: StartState): string {
  const base = `http://localhost:${config.port}`;
  const chat = chatCommand(config.dataDir, config.port);
  const shown = state.groups.slice(0, 8).join('、') + (state.groups.length > 8 ? ` 等 ${state.groups.length} 个` : '');
  const roster = state.sampleImported
    ? `刚导入示例花名册（src/roster/sample）：${state.courtyards} 个楼院、${state.cadres} 名干部；管理员账号 admin（王管理）`
    : state.courtyards || state.cadres
      ? `花名册已在库中：${state.courtyards} 个楼院、${state.cadres} 名干部（本次未导入）`
      : '花名册为空：npm run import -- 花名册.xlsx';
  return [
    '',
    '────────────────────────────────────────────────────────────',
    `楼院通已启动：${base} — 本地模式（未配置企业微信凭据 WECOM_TOKEN / WECOM_ENCODING_AES_KEY / WECOM_CORP_ID）`,
    `  数据目录 ${config.dataDir}（数据库：${state.engine === 'standin' ? '内置替身 stand-in，仅供开发' : state.engine}）`,
    `  回调地址：${base}${WECOM_PATHS.aibot}（智能机器人） ${base}${WECOM_PATHS.bot}（群机器人） ${base}${WECOM_PATHS.app}（自建应用）`,
    `  开发用凭据（${devCredentialsPath(config.dataDir)}）：`,
    `    Token=${config.wecom.token}  EncodingAESKey=${config.wecom.encodingAesKey}  CorpID=${config.wecom.corpId}`,
    `  推送发往 ${config.wecom.apiBase}（模拟器的 webhook 接收端）`,
    `  ${roster}`,
    state.groups.length ? `  已绑定的群（${state.groups.length}）：${shown}` : '  还没有绑定的群：在群里由管理员发 /绑定 楼院 东方花园',
    '',
    `  与机器人对话，在另一个终端运行：${chat}`,
    `  （默认你是张三，在东方花园工作群；换人换群：${chat} --user 王管理 --group 区领导群）`,
    '────────────────────────────────────────────────────────────',
    '',
  ].join('\n');
}

/** Says why the port cannot be had, in one line, and exits; never a stack trace for this. */
function portProblem(err: NodeJS.ErrnoException, config: Config): never {
  const running = readServerFile(config.dataDir);
  const lines =
    err.code === 'EADDRINUSE'
      ? [
          `端口 ${config.port} 已被占用${running?.port === config.port ? `：楼院通已经在运行（进程 ${running.pid}，DATA_DIR=${config.dataDir}），对话请运行 ${chatCommand(config.dataDir, config.port)}` : ''}。` +
            `请先停止占用它的程序，或用环境变量 PORT 换一个端口，例如：PORT=${config.port + 10} npm start`,
        ]
      : [`无法在 ${config.host}:${config.port} 上监听（${err.code ?? err.message}）：请检查环境变量 PORT 和 HOST`];
  process.stderr.write(lines.join('\n') + '\n');
  process.exit(1);
}

/** Whether `port` can be listened on now; the real listen still handles a late loser of the race. */
function listenError(host: string, port: number): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => resolve(err));
    probe.listen(port, host, () => probe.close(() => resolve(undefined)));
  });
}

/** The process: config → storage → mongoose → the runtime (src/runtime.ts) → app → listen. */
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
  // A taken port is said before anything starts (port 0: any free one, nothing to check).
  const taken = config.port ? await listenError(config.host, config.port) : undefined;
  if (taken) portProblem(taken, config);
  const log = createLogger(config.logLevel);
  const { storage, conn, close } = await openDatabase(config, log);
  log.info({ engine: storage.engine }, `storage engine: ${storage.engine}`);
  const runtime = await createRuntime(config, conn, { log, keepDistrictFresh: true });
  const { models } = runtime;
  const sampleImported = config.mode === 'local' && (await importSampleRosterIfEmpty(models, log));
  if (sampleImported) await bindLocalGroups(models, config.wecom.apiBase);
  runtime.start();
  const app = runtime.app(storage.engine);
  const state = config.mode === 'local' ? await startState(models, storage.engine, sampleImported) : undefined;
  const server = app.listen(config.port, config.host);
  server.once('error', (err: NodeJS.ErrnoException) => portProblem(err, config));
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const port = (server.address() as AddressInfo).port;
  try {
    writeServerFile(config.dataDir, { pid: process.pid, port, url: localUrl(config.host, port), apiBase: config.wecom.apiBase, mode: config.mode, startedAt: new Date().toISOString() });
  } catch (err) {
    log.warn({ err }, `could not write ${serverFilePath(config.dataDir)}; npm run chat needs --port ${port} to find this bot`);
  }
  log.info({ port, mode: config.mode }, `楼院通 listening on http://localhost:${port}`);
  if (state) process.stdout.write(localBanner({ ...config, port }, state));

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    try {
      removeServerFile(config.dataDir);
    } catch {
      // A read-only DATA_DIR: nothing was written either.
    }
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await runtime.stop();
    await close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  // The terminal closed (`npm start` in a window that went away): stop as cleanly.
  process.on('SIGHUP', () => void shutdown('SIGHUP'));
}

main().catch((err) => {
  // A damaged or locked data directory: the message says what to do; a stack trace would bury it.
  console.error(err instanceof StartRefused ? err.message : err);
  process.exit(1);
});
