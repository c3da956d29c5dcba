import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildCallback, decodeReply, type CallbackFields, type DecodedReply, type WeComCredentials } from './callback-builder';
import { LOCAL_GROUPS } from '../local/local-groups';
import { encryptMedia } from '../wecom/media';
import { simChatId, simUserId, simWebhookKey } from '../local/sim-identity';
import type { SinkPush, WebhookSink } from './webhook-sink';

/** The channels a simulated group can talk to the bot through. */
export type SimChannel = 'aibot' | 'bot';

export interface ChatSessionOptions {
  /** The bot, e.g. http://127.0.0.1:3000. */
  baseUrl: string;
  creds: WeComCredentials;
  /** Where the bot's pushes arrive (its WECOM_API_BASE). */
  sink: WebhookSink;
  user: string;
  group: string;
  channel: SimChannel;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** A person at a terminal (prompt, line editing); otherwise a script read line by line. */
  interactive: boolean;
  botName?: string;
  /** Pause between stream refresh callbacks; WeCom polls about once a second. */
  refreshMs?: number;
  /** Show a script's `# ` comments as narration (`## ` lines stay silent). */
  narrate?: boolean;
}

/** What a session saw go wrong: refusals and errors in the bot's replies, failed sends, refused pushes. */
export interface ChatSessionResult {
  failures: string[];
}

/** A reply that says the step did not happen: a refusal, a usage error, an unknown command, a system error. */
export function isFailureReply(text: string): boolean {
  return /^\s*(❌|🚫|❓)/u.test(text) || text.includes('系统繁忙');
}

/** WeCom polls an unfinished stream for at most 6 minutes (path/100719). */
const STREAM_WINDOW_MS = 6 * 60_000;

/** What the common errcodes mean, for the person watching the pushes (path/99110). */
const ERRCODES: Record<number, string> = {
  45009: '频率超限（每个机器人每分钟最多 20 条）',
  45033: '并发过多',
  93000: 'webhook 地址无效或机器人已被移出群',
  40058: '参数错误（内容过长等）',
  44004: '内容为空',
  40008: '消息类型错误',
  45002: '内容过大',
};

const HELP = [
  '命令：',
  '  :user 李四        换一个发言人',
  '  :group 济源路工作群 换一个群',
  '  :channel aibot|bot 智能机器人 / 群机器人回调',
  '  :webhook          显示本群的 webhook 地址（用于 /绑定 … webhook=）',
  '  :join             模拟把机器人拉进本群（群机器人事件）',
  '  :sleep 毫秒       等待（脚本里用）',
  '  # 说明            脚本里的注释（--narrate 时显示为旁白，## 开头的不显示）',
  '  {webhook}         消息里写它，发送时换成本群的 webhook 地址',
  '  /图片 照片.jpg [命令] 发一张图片（智能机器人：加密后由模拟器提供下载）；后面写命令则图文一起发，如 /图片 a.jpg /进度 #1 50%',
  '  :quit             退出',
  '其余每一行都作为一条 @机器人 的群消息发送。',
].join('\n');

const indent = (text: string) => text.replace(/\n/g, '\n    ');

function pushText(p: SinkPush): string {
  const body = p.body as { markdown?: { content?: string }; text?: { content?: string } };
  if (body.markdown?.content !== undefined) return body.markdown.content;
  if (body.text?.content !== undefined) return body.text.content;
  if (p.msgtype === 'file') return `[文件] ${p.file?.filename ?? ''}`;
  if (p.msgtype === 'image') return '[图片]';
  return `[${p.msgtype}]`;
}

/**
 * A terminal chat that plays a WeCom group against a running bot: each line becomes a
 * signed, encrypted callback; passive replies are decrypted and shown, and pushes are shown
 * as they reach the sink. Resolves when the input ends or `:quit` is typed.
 */
export async function runChatSession(opts: ChatSessionOptions): Promise<ChatSessionResult> {
  const { creds, sink, output } = opts;
  const refreshMs = opts.refreshMs ?? 1000;
  let user = opts.user;
  let group = opts.group;
  let channel = opts.channel;
  /** Push keys (robot keys, response codes) → group names, to label pushes. */
  const names = new Map<string, string>(LOCAL_GROUPS.map((g) => [simWebhookKey(simChatId(g.name)), g.name]));
  const say = (line: string) => output.write(line + '\n');
  const failures: string[] = [];
  const failed = (what: string) => failures.push(`[${group}] ${user}：${what}`);

  const previousOnPush = sink.onPush;
  sink.onPush = (p) => {
    previousOnPush?.(p);
    say(`[推送 → ${names.get(p.key) ?? p.key}] ${indent(pushText(p))}`);
  };
  let rejectedSeen = sink.rejected.length;
  const showRejections = () => {
    for (; rejectedSeen < sink.rejected.length; rejectedSeen++) {
      const r = sink.rejected[rejectedSeen]!;
      const line = `[推送被拒 → ${names.get(r.key) ?? r.key}] errcode ${r.errcode} ${ERRCODES[r.errcode] ?? ''}`.trimEnd();
      say(line);
      failures.push(line);
    }
  };
  const watcher = setInterval(showRejections, 200);
  watcher.unref();

  async function post(fields: CallbackFields): Promise<DecodedReply | null> {
    const cb = buildCallback(creds, { ...fields, botName: opts.botName });
    const res = await fetch(opts.baseUrl + cb.url, { method: 'POST', headers: { 'content-type': cb.contentType }, body: cb.body });
    const body = await res.text();
    if (res.status !== 200) {
      const hint = res.status === 401 || res.status === 403 ? '：模拟器与机器人的凭据不一致，--data-dir 是否就是机器人的 DATA_DIR？' : '';
      say(`（机器人返回 HTTP ${res.status}${hint}）`);
      failed(`HTTP ${res.status}`);
      return null;
    }
    return decodeReply(creds, fields.channel ?? 'aibot', body);
  }

  /** A picture as WeCom would deliver it: the intelligent robot's encrypted with the EncodingAESKey, the group robot's plain. */
  function hostPicture(file: string): string {
    const data = readFileSync(file);
    return sink.hostMedia(channel === 'aibot' ? encryptMedia(creds.encodingAesKey, data) : data);
  }

  async function send(text: string, images?: string[]): Promise<void> {
    const chatId = simChatId(group);
    const key = simWebhookKey(chatId);
    names.set(key, group);
    let reply: DecodedReply | null;
    if (channel === 'aibot') {
      const code = randomBytes(12).toString('hex');
      names.set(code, group);
      reply = await post({ channel, user: simUserId(user), chat: chatId, text, images, responseUrl: sink.responseUrl(code) });
      if (reply?.kind === 'stream' && !reply.finished) {
        say(`楼院通：${indent(reply.text)}`);
        const until = Date.now() + STREAM_WINDOW_MS;
        while (reply && reply.kind === 'stream' && !reply.finished && Date.now() < until) {
          await sleep(refreshMs);
          reply = await post({ channel, user: simUserId(user), chat: chatId, streamRefresh: reply.streamId });
        }
      }
    } else {
      reply = await post({ channel, user: simUserId(user), userName: user, chat: chatId, text, images, webhookUrl: sink.webhookUrl(key) });
    }
    if (!reply) return;
    if (reply.kind === 'empty' || reply.text === '') say('（机器人已确认收到，答复将推送到群里）');
    else say(`楼院通：${indent(reply.text)}`);
    if (reply.kind === 'stream' && !reply.finished) failed(`${text}（${STREAM_WINDOW_MS / 60_000} 分钟内没有答完）`);
    else if (isFailureReply(reply.text)) failed(`${text} → ${reply.text.split('\n')[0]}`);
  }

  async function join(): Promise<void> {
    const chatId = simChatId(group);
    const key = simWebhookKey(chatId);
    names.set(key, group);
    const reply = await post({ channel: 'bot', user: simUserId(user), userName: user, chat: chatId, event: 'added', webhookUrl: sink.webhookUrl(key) });
    if (reply && reply.text) say(`楼院通：${indent(reply.text)}`);
  }

  /** Runs one input line; false to stop. */
  async function line(raw: string): Promise<boolean> {
    const text = raw.trim();
    if (text === '' || text.startsWith('##')) return true;
    if (text.startsWith('#')) {
      if (opts.narrate && !opts.interactive) say(`\n▶ ${text.slice(1).trim()}`);
      return true;
    }
    const [command, ...rest] = text.split(/\s+/);
    const arg = rest.join(' ');
    switch (command) {
      case ':quit':
      case ':exit':
        return false;
      case ':help':
        say(HELP);
        return true;
      case ':user':
        if (arg) user = arg;
        say(`（现在是 ${user}）`);
        return true;
      case ':group':
        if (arg) group = arg;
        say(`（现在在 ${group}）`);
        return true;
      case ':channel':
        if (arg === 'aibot' || arg === 'bot') channel = arg;
        say(`（现在通过${channel === 'aibot' ? '智能机器人' : '群机器人回调'}发言）`);
        return true;
      case ':webhook':
        say(sink.webhookUrl(simWebhookKey(simChatId(group))));
        return true;
      case ':join':
        await join();
        return true;
      case ':sleep':
        await sleep(Number(arg) || 0);
        showRejections();
        return true;
    }
    const message = text.replaceAll('{webhook}', sink.webhookUrl(simWebhookKey(simChatId(group))));
    if (!opts.interactive) say(`[${group}] ${user}：${message}`);
    if (command === '/图片' || command === '／图片') {
      const [file, ...words] = rest;
      if (!file) {
        say('（用法：/图片 照片.jpg [命令]）');
        return true;
      }
      let url: string;
      try {
        url = hostPicture(file);
      } catch (err) {
        say(`（读不到图片 ${file}：${(err as NodeJS.ErrnoException).code ?? (err as Error).message}）`);
        return true;
      }
      if (channel === 'bot' && words.length) say('（群机器人回调只能单独发图片，后面的文字没有发送）');
      try {
        await send(channel === 'bot' ? '' : words.join(' '), [url]);
      } catch (err) {
        say(`（发送失败：${(err as Error).message}）`);
        failed(`${message}（发送失败：${(err as Error).message}）`);
      }
      return true;
    }
    try {
      await send(message);
    } catch (err) {
      say(`（发送失败：${(err as Error).message}）`);
      failed(`${message}（发送失败：${(err as Error).message}）`);
    }
    return true;
  }

  const rl = createInterface({ input: opts.input, output: opts.interactive ? output : undefined, terminal: opts.interactive });
  const prompt = () => {
    if (!opts.interactive) return;
    rl.setPrompt(`${user}@${group}> `);
    rl.prompt();
  };
  try {
    prompt();
    for await (const text of rl) {
      if (!(await line(text))) break;
      prompt();
    }
  } finally {
    rl.close();
    clearInterval(watcher);
    showRejections();
    sink.onPush = previousOnPush;
  }
  return { failures };
}
