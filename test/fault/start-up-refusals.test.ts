import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TEST_CREDS } from '../helpers/wecom';
import { freePort } from './helpers/app-process';

/**
 * `npm start` (src/main.ts, as a child process) refuses a configuration that would lose
 * answers or put real users on the development database (issue 12, findings 10 and 12):
 * exit status 78 (EX_CONFIG), every problem named at once, nothing listening.
 */
const ROOT = path.resolve(__dirname, '../..');

async function start(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string; port: number }> {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'lyt-start-'));
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/main.ts')], {
      cwd: ROOT,
      // Only what a deployment would set: none of the test runner's own variables.
      env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, SCHEDULER: 'off', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    // A start-up that is not refused would run on: stopped after 30 s, and reported as no exit status.
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    clearTimeout(timer);
    return { code, stderr, port };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const WECOM = { WECOM_TOKEN: TEST_CREDS.token, WECOM_ENCODING_AES_KEY: TEST_CREDS.encodingAesKey, WECOM_CORP_ID: TEST_CREDS.corpId };

it('WeCom credentials without MONGODB_URI: refuses to start, says why and how to opt in', async () => {
  const { code, stderr, port } = await start(WECOM);
  expect(code).toBe(78);
  expect(stderr).toContain('MONGODB_URI: required with WeCom credentials');
  expect(stderr).toContain('EMBEDDED_DB=allow');
  expect(await fetch(`http://127.0.0.1:${port}/healthz`).then(() => 'answered', () => 'nothing listening')).toBe('nothing listening');
  expect(stderr).not.toContain('listening on');
}, 60_000);

it('a reply budget past the answer deadline, a non-numeric agent id and a secret without one: all named in one start-up', async () => {
  const { code, stderr } = await start({
    ...WECOM,
    MONGODB_URI: 'mongodb://127.0.0.1:9/louyuantong',
    REPLY_BUDGET_MS: '5000',
    WECOM_AGENT_ID: 'louyuan-app',
    WECOM_CORP_SECRET: '',
  });
  expect(code).toBe(78);
  expect(stderr).toMatch(/REPLY_BUDGET_MS: must be at most 3000/);
  expect(stderr).toMatch(/WECOM_AGENT_ID: must be the self-built app’s numeric AgentId/);
  expect(stderr).toMatch(/WECOM_CORP_SECRET: required together with WECOM_AGENT_ID/);
}, 60_000);
