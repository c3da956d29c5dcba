import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { PassThrough, Writable } from 'node:stream';
import { silentLogger } from '../../src/log';
import { writeServerFile } from '../../src/server-file';
import { chatCli } from '../../src/sim/chat';
import { createWeComClient } from '../../src/wecom/client';
import type { MessageHandler } from '../../src/wecom/message';
import { createOutbox, type Outbox } from '../../src/wecom/outbox';
import { openTestDb } from '../helpers/db';
import { TEST_CREDS, createTestApp, testConfig } from '../helpers/wecom';

let db: Awaited<ReturnType<typeof openTestDb>>;
let server: Server;
let outbox: Outbox;
let sinkPort: number;

/** A port nothing listens on right now (for the simulator's sink). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

const handle: MessageHandler = async (msg) => {
  if (msg.text === '/帮助') return { markdown: '可用命令：/帮助 /慢' };
  if (msg.text === '/慢') {
    await new Promise((resolve) => setTimeout(resolve, 400));
    return { markdown: '慢慢来的答复' };
  }
  if (msg.text === '/我是谁') return { markdown: `账号 ${msg.sender.userId}` };
  return { markdown: `未知命令：${msg.text}` };
};

beforeAll(async () => {
  db = await openTestDb();
  sinkPort = await freePort();
  const client = createWeComClient({ apiBase: `http://127.0.0.1:${sinkPort}`, corpId: TEST_CREDS.corpId, log: silentLogger });
  outbox = createOutbox({ conn: db.conn, client, log: silentLogger, pollMs: 50 });
  outbox.start();
  const { app } = createTestApp({ conn: db.conn, handle, outbox, config: testConfig({ REPLY_BUDGET_MS: '100', WECOM_API_BASE: `http://127.0.0.1:${sinkPort}` }) });
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
});

afterAll(async () => {
  await outbox.stop();
  await new Promise((resolve) => server.close(resolve));
  await db.close();
});

async function until(condition: () => boolean) {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}

it('npm run chat reads a script from stdin, shows the bot’s replies, and the pushes that reach its sink', async () => {
  let shown = '';
  const output = new Writable({
    write(chunk: Buffer, _enc, done) {
      shown += chunk.toString();
      done();
    },
  });
  const input = new PassThrough();
  const { port } = server.address() as AddressInfo;
  const running = chatCli(['--url', `http://127.0.0.1:${port}`, '--user', '张三', '--group', '东方花园工作群'], {
    input,
    output,
    interactive: false,
    env: {
      PORT: String(port),
      SIM_SINK_PORT: String(sinkPort),
      WECOM_TOKEN: TEST_CREDS.token,
      WECOM_ENCODING_AES_KEY: TEST_CREDS.encodingAesKey,
      WECOM_CORP_ID: TEST_CREDS.corpId,
    },
  });

  input.write('# 先看帮助\n/帮助\n');
  await until(() => shown.includes('楼院通：可用命令：/帮助 /慢'));
  input.write(':channel bot\n/慢\n');
  await until(() => shown.includes('[推送 → 东方花园工作群] 慢慢来的答复'));
  input.write('/我是谁\n:user 王五\n/我是谁\n');
  await until(() => /账号 sim_\w+/.test(shown));
  input.write(':webhook\n');
  await until(() => shown.includes(`http://127.0.0.1:${sinkPort}/cgi-bin/webhook/send?key=`));
  input.end();

  expect(await running).toBe(0);
  expect(shown).toContain('[东方花园工作群] 张三：/帮助');
  expect(shown).toContain('（机器人已确认收到，答复将推送到群里）');
  expect(shown).not.toContain('先看帮助');
  // people of the sample roster speak with their roster accounts, so local mode knows them
  expect(shown).toContain('账号 zhangsan');
  expect(shown).not.toContain('账号 张三');
});

/** Runs `npm run chat` with a script on stdin; resolves with its exit code and what it printed. */
async function chat(argv: string[], env: NodeJS.ProcessEnv, script: string): Promise<{ code: number; shown: string }> {
  let shown = '';
  const output = new Writable({
    write(chunk: Buffer, _enc, done) {
      shown += chunk.toString();
      done();
    },
  });
  const input = new PassThrough();
  input.end(script);
  const code = await chatCli(argv, { input, output, interactive: false, env });
  return { code, shown };
}

/** A DATA_DIR as `npm start` leaves it for the test app: its credentials and its server.json. */
function dataDirOfTestBot(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'lyt-chat-'));
  writeFileSync(path.join(dir, 'dev-wecom.json'), JSON.stringify(TEST_CREDS));
  const { port } = server.address() as AddressInfo;
  writeServerFile(dir, { pid: process.pid, port, url: `http://127.0.0.1:${port}`, apiBase: `http://127.0.0.1:${sinkPort}`, mode: 'local', startedAt: new Date().toISOString() });
  return dir;
}

describe('npm run chat finds the bot, or says how to start one', () => {
  it('finds the running bot of its DATA_DIR without being told the port', async () => {
    const dir = dataDirOfTestBot();
    const { code, shown } = await chat(['--data-dir', dir], {}, '/帮助\n');
    expect(code).toBe(0);
    expect(shown).toContain(`机器人 http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    expect(shown).toContain('楼院通：可用命令：/帮助 /慢');
  });

  it('with no bot running: says how to start or point at one, exits non-zero, starts none', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lyt-chat-empty-'));
    const { code, shown } = await chat(['--data-dir', dir], { SIM_SINK_PORT: String(await freePort()) }, '/帮助\n');
    expect(code).toBe(69);
    expect(shown).toContain(`没有找到正在运行的机器人（DATA_DIR=${dir}）`);
    expect(shown).toContain(`DATA_DIR=${dir} npm start`);
    expect(shown).toContain('--start');
    expect(shown).not.toContain('启动一个机器人（DATA_DIR');
    // Nothing made up in a DATA_DIR no bot uses.
    expect(readdirSync(dir)).toEqual([]);
  });

  it('given a port where no bot answers: names the port and where its DATA_DIR’s bot is', async () => {
    const dir = dataDirOfTestBot();
    const other = await freePort();
    const { port } = server.address() as AddressInfo;
    const { code, shown } = await chat(['--data-dir', dir], { PORT: String(other) }, '/帮助\n');
    expect(code).toBe(69);
    expect(shown).toContain(`http://127.0.0.1:${other} 没有机器人应答。`);
    expect(shown).toContain(`DATA_DIR=${dir} 的机器人在 http://127.0.0.1:${port}：DATA_DIR=${dir} npm run chat -- --port ${port}`);
    expect(shown).not.toContain('楼院通：');
  });
});
