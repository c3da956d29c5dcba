/**
 * `npm start`'s composition root (src/main.ts) as a child process: what a newcomer sees —
 * the banner of local mode on a fresh and on a second start, and a taken port.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serverFilePath } from '../src/server-file';
import { freePort } from './fault/helpers/app-process';

const ROOT = path.resolve(__dirname, '..');

jest.setTimeout(120_000);

interface Run {
  stdout: string;
  stderr: string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  stop(): void;
}

/** src/main.ts in local mode (no WeCom credentials, no MONGODB_URI: the stand-in in DATA_DIR). */
function start(env: NodeJS.ProcessEnv): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/main.ts')], {
    cwd: ROOT,
    env: { ...process.env, MONGODB_URI: '', WECOM_TOKEN: '', WECOM_ENCODING_AES_KEY: '', WECOM_CORP_ID: '', WECOM_API_BASE: '', SCHEDULER: 'off', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run: Run = {
    stdout: '',
    stderr: '',
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
    stop: () => child.kill('SIGTERM'),
  };
  child.stdout!.on('data', (d) => (run.stdout += d));
  child.stderr!.on('data', (d) => (run.stderr += d));
  return run;
}

/** Until the banner is out (its closing rule), or the process ended. */
async function banner(run: Run): Promise<string> {
  let ended = false;
  void run.exited.then(() => (ended = true));
  while (!/楼院通已启动[\s\S]*─{20,}\n/.test(run.stdout)) {
    if (ended) throw new Error(`the bot exited before its banner:\n${run.stdout}\n${run.stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return run.stdout.slice(run.stdout.indexOf('楼院通已启动'));
}

describe('npm start', () => {
  it('says a taken port in one line naming PORT, and exits non-zero without a stack trace', async () => {
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as AddressInfo;
    try {
      const run = start({ PORT: String(port), DATA_DIR: mkdtempSync(path.join(tmpdir(), 'lyt-port-')) });
      expect(await run.exited).toBe(1);
      expect(run.stderr.trim()).toBe(`端口 ${port} 已被占用。请先停止占用它的程序，或用环境变量 PORT 换一个端口，例如：PORT=${port + 10} npm start`);
      expect(run.stdout).not.toMatch(/EADDRINUSE|\n\s+at /);
    } finally {
      await new Promise((r) => holder.close(r));
    }
  });

  it('tells in its banner what it holds and the exact chat command; a second start knows the roster is there', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'lyt-banner-'));
    const port = await freePort();
    const first = start({ PORT: String(port), DATA_DIR: dataDir });
    try {
      const text = await banner(first);
      expect(text).toContain(`楼院通已启动：http://localhost:${port}`);
      expect(text).toMatch(/刚导入示例花名册（src\/roster\/sample）：\d+ 个楼院、\d+ 名干部/);
      expect(text).toContain('已绑定的群（4）：东方花园工作群、九冶院工作群、区领导群、济源路街道工作群');
      expect(text).toContain(`在另一个终端运行：DATA_DIR=${dataDir} npm run chat -- --port ${port}`);
      // Where `npm run chat` finds it.
      expect(JSON.parse(readFileSync(serverFilePath(dataDir), 'utf8'))).toMatchObject({ port, url: `http://127.0.0.1:${port}` });
    } finally {
      first.stop();
      await first.exited;
    }

    const second = start({ PORT: String(port), DATA_DIR: dataDir });
    try {
      const text = await banner(second);
      expect(text).toMatch(/花名册已在库中：\d+ 个楼院、\d+ 名干部（本次未导入）/);
      expect(text).not.toContain('刚导入');
      expect(text).toContain('已绑定的群（4）');
    } finally {
      second.stop();
      await second.exited;
    }
  });
});
