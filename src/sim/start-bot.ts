import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface BotProcess {
  url: string;
  /** The bot's own log (JSON lines). */
  logFile: string;
  stop(): Promise<void>;
}

export interface StartBotOptions {
  port: number;
  dataDir: string;
  /** WECOM_API_BASE for the bot: the simulator's sink. */
  apiBase: string;
  logFile: string;
  /** The environment the bot starts from (default process.env); the options above override it. */
  env?: NodeJS.ProcessEnv;
  /** Give up waiting for /healthz after this long (default 60 s). */
  timeoutMs?: number;
}

/** Whether something answers /healthz at `url` within a second. */
export async function botAnswers(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
    return res.status === 200 || res.status === 503;
  } catch {
    return false;
  }
}

/**
 * Starts the bot (`tsx src/main.ts`) as a child process in local mode: no WeCom credentials,
 * so it uses (and creates) DATA_DIR/dev-wecom.json, and pushes to `apiBase`.
 */
export async function startBotProcess(opts: StartBotOptions): Promise<BotProcess> {
  const root = path.resolve(__dirname, '..', '..');
  const log = openSync(opts.logFile, 'a');
  const env: NodeJS.ProcessEnv = {
    ...(opts.env ?? process.env),
    PORT: String(opts.port),
    HOST: '127.0.0.1',
    DATA_DIR: opts.dataDir,
    WECOM_API_BASE: opts.apiBase,
    WECOM_TOKEN: '',
    WECOM_ENCODING_AES_KEY: '',
    WECOM_CORP_ID: '',
  };
  const child = spawn(process.execPath, [require.resolve('tsx/cli'), path.join(root, 'src', 'main.ts')], {
    cwd: root,
    env,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  let exited: number | null | undefined;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exited = code;
      resolve();
    }),
  );
  const url = `http://127.0.0.1:${opts.port}`;
  const stop = async () => {
    if (exited === undefined) {
      child.kill('SIGTERM');
      const hard = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(hard);
    }
  };
  const until = Date.now() + (opts.timeoutMs ?? 60_000);
  while (!(await botAnswers(url))) {
    if (exited !== undefined) throw new Error(`the bot exited (code ${exited}) before answering; see ${opts.logFile}`);
    if (Date.now() > until) {
      await stop();
      throw new Error(`the bot did not answer on ${url} in time; see ${opts.logFile}`);
    }
    await sleep(250);
  }
  return { url, logFile: opts.logFile, stop };
}
