import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { TEST_CREDS } from '../../helpers/wecom';

const ROOT = path.resolve(__dirname, '../../..');

export interface AppProcess {
  /** http://127.0.0.1:PORT */
  url: string;
  child: ChildProcess;
  exited: Promise<void>;
}

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Starts the real app (src/main.ts, the `npm start` composition root) as a child process in
 * WeCom mode with the sample credentials, on `mongodbUri`, and waits until /healthz answers.
 * tsx runs as a loader inside the one node process, so SIGKILL reaches the app itself.
 */
export async function spawnApp(opts: { mongodbUri: string; port: number; dataDir: string; env?: NodeJS.ProcessEnv }): Promise<AppProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      MONGODB_URI: opts.mongodbUri,
      PORT: String(opts.port),
      HOST: '127.0.0.1',
      DATA_DIR: opts.dataDir,
      WECOM_TOKEN: TEST_CREDS.token,
      WECOM_ENCODING_AES_KEY: TEST_CREDS.encodingAesKey,
      WECOM_CORP_ID: TEST_CREDS.corpId,
      WECOM_API_BASE: 'http://127.0.0.1:9',
      SCHEDULER: 'off',
      LOG_LEVEL: 'error',
      ...opts.env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${opts.port}`;
  for (const end = Date.now() + 120_000; ; ) {
    if (child.exitCode !== null) throw new Error(`the app exited with ${child.exitCode} before it was ready: ${stderr}`);
    const ok = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
    if (ok) return { url, child, exited };
    if (Date.now() > end) throw new Error(`the app did not answer /healthz within 120 s: ${stderr}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
