import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadDevCredentials, simSinkPort } from '../config';
import type { WeComCredentials } from './callback-builder';
import { runChatSession, type SimChannel } from './chat-session';
import { botAnswers, startBotProcess, type BotProcess } from './start-bot';
import { startWebhookSink, type WebhookSink } from './webhook-sink';

const USAGE = `用法：npm run chat -- [--user 张三] [--group 东方花园工作群] [--channel aibot|bot] [--start] [--data-dir DIR] [--url URL]

  --user      发言人（默认 张三）
  --group     群名（默认 东方花园工作群）
  --channel   aibot：智能机器人回调（默认）；bot：群机器人回调
  --start     自己启动机器人（子进程，临时 DATA_DIR，除非给出 --data-dir）；没有机器人应答时也会自动启动
  --data-dir  机器人的 DATA_DIR（读取其中的 dev-wecom.json）；默认 $DATA_DIR 或 ./data
  --url       机器人地址（默认 http://127.0.0.1:$PORT）
标准输入不是终端时按脚本逐行执行（消息、:user、:group、:sleep 毫秒、# 注释）。`;

export interface ChatCliIo {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  interactive: boolean;
  env?: NodeJS.ProcessEnv;
}

/** The credentials to sign with: WECOM_* from the environment, else local mode's file. */
function credentialsFor(env: NodeJS.ProcessEnv, dataDir: string): WeComCredentials {
  if (env.WECOM_TOKEN && env.WECOM_ENCODING_AES_KEY && env.WECOM_CORP_ID) {
    return { token: env.WECOM_TOKEN, encodingAesKey: env.WECOM_ENCODING_AES_KEY, corpId: env.WECOM_CORP_ID };
  }
  return loadDevCredentials(dataDir);
}

/**
 * `npm run chat`: starts the webhook sink next to the bot (where local mode pushes), starts
 * the bot too when asked or when none answers, and runs a chat session. Returns the exit code.
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
        'data-dir': { type: 'string' },
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
  const port = Number(env.PORT || 3000);
  const baseUrl = (args.url ?? `http://127.0.0.1:${port}`).replace(/\/$/, '');
  const sinkPort = Number(env.SIM_SINK_PORT || simSinkPort(port));

  let sink: WebhookSink;
  try {
    sink = await startWebhookSink({ port: sinkPort });
  } catch (err) {
    say(`无法在端口 ${sinkPort} 启动 webhook 接收端（${(err as Error).message}）：是否已有一个模拟器在运行？`);
    return 1;
  }
  let bot: BotProcess | undefined;
  try {
    let dataDir = path.resolve(args['data-dir'] ?? env.DATA_DIR ?? './data');
    if (args.start || !(await botAnswers(baseUrl))) {
      dataDir = path.resolve(args['data-dir'] ?? mkdtempSync(path.join(os.tmpdir(), 'louyuantong-sim-')));
      say(`正在启动机器人（DATA_DIR=${dataDir}）…`);
      loadDevCredentials(dataDir);
      bot = await startBotProcess({ port, dataDir, apiBase: sink.url, logFile: path.join(dataDir, 'bot.log') });
      say(`机器人已启动：${bot.url}（日志 ${bot.logFile}）`);
    }
    say(`模拟企业微信群：你是 ${args.user}，在「${args.group}」，经${args.channel === 'aibot' ? '智能机器人' : '群机器人回调'}发言；推送显示在这里（接收端 ${sink.url}）。`);
    if (io.interactive) say('输入消息回车发送；:help 查看命令，:quit 退出。');
    await runChatSession({
      baseUrl: bot?.url ?? baseUrl,
      creds: credentialsFor(bot ? {} : env, dataDir),
      sink,
      user: args.user,
      group: args.group,
      channel: args.channel as SimChannel,
      input: io.input,
      output: io.output,
      interactive: io.interactive,
    });
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
