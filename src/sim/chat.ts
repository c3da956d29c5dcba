import { existsSync, mkdtempSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { devCredentialsPath, loadDevCredentials, simSinkPort } from '../config';
import { chatCommand, readServerFile } from '../server-file';
import type { WeComCredentials } from './callback-builder';
import { runChatSession, type SimChannel } from './chat-session';
import { botAnswers, startBotProcess, type BotProcess } from './start-bot';
import { startWebhookSink, type WebhookSink } from './webhook-sink';

const USAGE = `用法：npm run chat -- [--user 张三] [--group 东方花园工作群] [--channel aibot|bot] [--port 端口 | --url 地址] [--data-dir DIR] [--start]

  --user      发言人（默认 张三）
  --group     群名（默认 东方花园工作群）
  --channel   aibot：智能机器人回调（默认）；bot：群机器人回调
  --data-dir  机器人的 DATA_DIR（默认 $DATA_DIR 或 ./data）：找在它上面运行的机器人（npm start 写下的
              server.json），并用其中的 dev-wecom.json 签名
  --port      机器人的端口（默认：DATA_DIR 的机器人所在端口；也可用环境变量 PORT）
  --url       机器人地址（如 http://127.0.0.1:3000）
  --start     另外启动一个机器人（子进程；临时 DATA_DIR，除非给出 --data-dir）
  --narrate   把脚本里 # 开头的注释作为旁白显示（## 开头的不显示）
  --strict    脚本里有一步失败（机器人拒绝或报错、推送被拒）就以非零状态退出
没有给出 --start 时只连接已在运行的机器人，找不到就说明怎样启动或指定，不会自己再启动一个。
标准输入不是终端时按脚本逐行执行（消息、:user、:group、:sleep 毫秒、# 注释）。`;

export interface ChatCliIo {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  interactive: boolean;
  env?: NodeJS.ProcessEnv;
}

/** The credentials to sign with: WECOM_* from the environment, else local mode's file. */
function credentialsFor(env: NodeJS.ProcessEnv, dataDir: string): WeComCredentials | undefined {
  if (env.WECOM_TOKEN && env.WECOM_ENCODING_AES_KEY && env.WECOM_CORP_ID) {
    return { token: env.WECOM_TOKEN, encodingAesKey: env.WECOM_ENCODING_AES_KEY, corpId: env.WECOM_CORP_ID };
  }
  // Never made up here: a bot only accepts the values it generated into its own DATA_DIR.
  return existsSync(devCredentialsPath(dataDir)) ? loadDevCredentials(dataDir) : undefined;
}

/** The port of a local sink URL (http://127.0.0.1:N), where the bot of local mode pushes. */
function sinkPortOf(apiBase: string | undefined): number | undefined {
  const m = apiBase ? /^http:\/\/(?:127\.0\.0\.1|localhost):(\d+)\/?$/.exec(apiBase) : null;
  return m ? Number(m[1]) : undefined;
}

type Found = { url: string; sinkPort: number } | { problem: string };

/**
 * The bot to talk to: the one at the address or port given, else the one running on
 * `dataDir` (its server.json). Never starts one: when none answers, says how to.
 */
async function findBot(opts: { url?: string; port?: number; dataDir: string; env: NodeJS.ProcessEnv }): Promise<Found> {
  const running = readServerFile(opts.dataDir);
  const given = opts.url?.replace(/\/$/, '') ?? (opts.port !== undefined ? `http://127.0.0.1:${opts.port}` : undefined);
  const envSink = opts.env.SIM_SINK_PORT ? Number(opts.env.SIM_SINK_PORT) : undefined;
  const start = [
    `先在另一个终端运行 ${opts.dataDir === path.resolve('data') ? '' : `DATA_DIR=${opts.dataDir} `}npm start，再运行 npm run chat；`,
    '机器人在别处运行时用 --port 端口 或 --url 地址 指定它（用 --data-dir 指向它的 DATA_DIR）；',
    '或者 npm run chat -- --start 另外启动一个机器人（临时的空数据目录）。',
  ];
  if (given) {
    if (await botAnswers(given)) {
      const own = running && running.url === given ? sinkPortOf(running.apiBase) : undefined;
      return { url: given, sinkPort: envSink ?? own ?? simSinkPort(Number(new URL(given).port || 80)) };
    }
    const there = running && (await botAnswers(running.url)) ? [`DATA_DIR=${opts.dataDir} 的机器人在 ${running.url}：${chatCommand(opts.dataDir, running.port)}`] : start;
    return { problem: [`${given} 没有机器人应答。`, ...there].join('\n') };
  }
  if (running && (await botAnswers(running.url))) return { url: running.url, sinkPort: envSink ?? sinkPortOf(running.apiBase) ?? simSinkPort(running.port) };
  return { problem: [`没有找到正在运行的机器人（DATA_DIR=${opts.dataDir}）。`, ...start].join('\n') };
}

/** A port nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * `npm run chat`: finds the running bot (or, with --start, starts one of its own), starts the
 * webhook sink where that bot pushes, and runs a chat session. Returns the exit code.
 */
export async function chatCli(argv: string[], io: ChatCliIo): Promise<number> {
  const env = io.env ?? process.env;
  const say = (line: string) => io.output.write(line + '\n');
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        user: { type: 'string', default: '张三' },
        group: { type: 'string', default: '东方花园工作群' },
        channel: { type: 'string', default: 'aibot' },
        start: { type: 'boolean', default: false },
        strict: { type: 'boolean', default: false },
        narrate: { type: 'boolean', default: false },
        'data-dir': { type: 'string' },
        port: { type: 'string' },
        url: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (err) {
    say(`${(err as Error).message}\n${USAGE}`);
    return 64;
  }
  if (args.help) {
    say(USAGE);
    return 0;
  }
  if (args.channel !== 'aibot' && args.channel !== 'bot') {
    say(`--channel 只能是 aibot 或 bot\n${USAGE}`);
    return 64;
  }
  const portText = args.port ?? (env.PORT || undefined);
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
    say(`端口应为 1–65535 的整数，收到「${portText}」\n${USAGE}`);
    return 64;
  }

  let dataDir = path.resolve(args['data-dir'] ?? env.DATA_DIR ?? './data');
  let target: { url: string; sinkPort: number } | undefined;
  if (!args.start) {
    const found = await findBot({ url: args.url, port, dataDir, env });
    if ('problem' in found) {
      say(found.problem);
      return 69; // EX_UNAVAILABLE
    }
    target = found;
  }
  const creds = args.start ? undefined : credentialsFor(env, dataDir);
  if (target && !creds) {
    say(`${dataDir} 里没有 dev-wecom.json（本地模式的开发凭据）：请用 --data-dir 指向机器人的 DATA_DIR，或设置 WECOM_TOKEN、WECOM_ENCODING_AES_KEY、WECOM_CORP_ID。`);
    return 69;
  }

  let sink: WebhookSink;
  const sinkPort = target?.sinkPort ?? Number(env.SIM_SINK_PORT || 0);
  try {
    sink = await startWebhookSink({ port: sinkPort });
  } catch (err) {
    say(`无法在端口 ${sinkPort} 启动 webhook 接收端（${(err as Error).message}）：是否已有一个模拟器在运行？`);
    return 1;
  }
  let bot: BotProcess | undefined;
  try {
    if (args.start) {
      dataDir = path.resolve(args['data-dir'] ?? mkdtempSync(path.join(os.tmpdir(), 'louyuantong-sim-')));
      const botPort = port ?? (await freePort());
      say(`按 --start 另外启动一个机器人（DATA_DIR=${dataDir}，端口 ${botPort}）…`);
      loadDevCredentials(dataDir);
      bot = await startBotProcess({ port: botPort, dataDir, apiBase: sink.url, logFile: path.join(dataDir, 'bot.log'), env });
      say(`机器人已启动：${bot.url}（日志 ${bot.logFile}）`);
    }
    say(`模拟企业微信群：你是 ${args.user}，在「${args.group}」，经${args.channel === 'aibot' ? '智能机器人' : '群机器人回调'}发言；机器人 ${bot?.url ?? target!.url}；推送显示在这里（接收端 ${sink.url}）。`);
    if (io.interactive) say('输入消息回车发送；:help 查看命令，:quit 退出。');
    const { failures } = await runChatSession({
      baseUrl: bot?.url ?? target!.url,
      creds: bot ? loadDevCredentials(dataDir) : creds!,
      sink,
      user: args.user,
      group: args.group,
      channel: args.channel as SimChannel,
      input: io.input,
      output: io.output,
      interactive: io.interactive,
      narrate: args.narrate,
    });
    if (args.strict && failures.length) {
      say(`\n有 ${failures.length} 步没有成功：\n${failures.map((f) => `  ${f}`).join('\n')}`);
      return 1;
    }
    return 0;
  } catch (err) {
    say(`出错了：${(err as Error).message}`);
    return 1;
  } finally {
    await bot?.stop();
    await sink.stop();
  }
}

if (require.main === module) {
  chatCli(process.argv.slice(2), { input: process.stdin, output: process.stdout, interactive: Boolean(process.stdin.isTTY) }).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
