import { randomBytes, randomInt } from 'node:crypto';
import { z } from 'zod';
import { decryptMessage, seal, verifySignature } from '../wecom/crypto';
import { cdata, parseXml } from '../wecom/ingress/xml';
import type { Channel } from '../wecom/message';

/**
 * Builds WeCom callbacks the way WeCom sends them — signed, encrypted, in each channel's
 * documented format — from plain fields, and decodes the bot's passive replies. Used by the
 * simulator, the tests and the benchmarks.
 */

/** What the bot and the simulated WeCom share (the admin console's Token/EncodingAESKey, the CorpID). */
export interface WeComCredentials {
  token: string;
  encodingAesKey: string;
  corpId: string;
}

export interface CallbackFields {
  /** Default: the intelligent robot. */
  channel?: Channel;
  /** The sender's userid. */
  user: string;
  /** The sender's display name (group robot only). */
  userName?: string;
  /** A group's ChatId; without it the message comes from a 1:1 chat. */
  chat?: string;
  /** Message text; group messages get the "@botName " prefix WeCom adds. */
  text?: string;
  /**
   * Links of pictures. Intelligent robot: with text a mixed message (text, then the pictures),
   * without an image message (one picture); group robot: an image message (the first).
   */
  images?: string[];
  /** An event instead of a message. */
  event?: 'added' | 'removed' | 'enter';
  /** Intelligent robot: a stream refresh for this stream id, instead of a message. */
  streamRefresh?: string;
  msgId?: string;
  /** Intelligent robot: the response_url. */
  responseUrl?: string;
  /** Group robot: the group's webhook URL. */
  webhookUrl?: string;
  /** Group robot: send the JSON variant (`robot_callback_format=json`). */
  json?: boolean;
  /** The robot's name in @-mentions; default 楼院通. */
  botName?: string;
  /** App: AgentID; default 1000002. */
  agentId?: string;
}

export interface SignedCallback {
  /** Path and query, e.g. `/wecom/aibot?msg_signature=…&timestamp=…&nonce=…`. */
  url: string;
  body: string;
  contentType: string;
  /** The decrypted message, as WeCom would have built it. */
  plaintext: string;
  msgId: string;
  timestamp: number;
  nonce: string;
}

export interface SignOptions {
  /** Unix seconds; default now. */
  timestamp?: number;
  nonce?: string;
}

const PATHS: Record<Channel, string> = { aibot: '/wecom/aibot', bot: '/wecom/bot', app: '/wecom/app' };

const receiveIdFor = (creds: WeComCredentials, channel: Channel) => (channel === 'app' ? creds.corpId : '');
const nowSeconds = () => Math.floor(Date.now() / 1000);
const randomNonce = () => String(randomInt(100_000_000, 999_999_999));

function newMsgId(channel: Channel): string {
  if (channel === 'app') return String(randomInt(1, 2 ** 47)) + String(randomInt(0, 999)).padStart(3, '0');
  if (channel === 'aibot') return 'CAIQ' + randomBytes(18).toString('base64');
  return randomBytes(16).toString('hex');
}

function mentioned(f: CallbackFields): string {
  const text = f.text ?? '';
  return f.chat ? `@${f.botName ?? '楼院通'} ${text}` : text;
}

/** path/100719 (messages, stream refresh) and path/101027 (events). */
function aibotPlaintext(f: CallbackFields, msgId: string, timestamp: number): string {
  const where = f.chat ? { chatid: f.chat, chattype: 'group' } : { chattype: 'single' };
  const base = { msgid: msgId, aibotid: 'AIBOTSIM', ...where, from: { userid: f.user } };
  if (f.streamRefresh) return JSON.stringify({ ...base, msgtype: 'stream', stream: { id: f.streamRefresh } });
  if (f.event) return JSON.stringify({ ...base, create_time: timestamp, msgtype: 'event', event: { eventtype: 'enter_chat' } });
  const head = { ...base, response_url: f.responseUrl ?? '' };
  if (f.images?.length && !f.text) return JSON.stringify({ ...head, msgtype: 'image', image: { url: f.images[0] } });
  if (f.images?.length) {
    const items = [{ msgtype: 'text', text: { content: mentioned(f) } }, ...f.images.map((url) => ({ msgtype: 'image', image: { url } }))];
    return JSON.stringify({ ...head, msgtype: 'mixed', mixed: { msg_item: items } });
  }
  return JSON.stringify({ ...head, msgtype: 'text', text: { content: mentioned(f) } });
}

const BOT_EVENTS = { added: 'add_to_chat', removed: 'delete_from_chat', enter: 'enter_chat' } as const;

/** path/99399: the group robot callback (XML; JSON with robot_callback_format=json). */
function botPlaintext(f: CallbackFields, msgId: string): string {
  const chatType = f.chat ? 'group' : 'single';
  const chatId = f.chat ?? f.user;
  if (f.json) {
    return JSON.stringify({
      webhook_url: f.webhookUrl ?? '',
      msgid: msgId,
      chatid: chatId,
      chattype: chatType,
      from: { userid: f.user, name: f.userName ?? f.user, alias: f.user },
      ...(f.event
        ? { msgtype: 'event', event: { event_type: BOT_EVENTS[f.event] } }
        : f.images?.length
          ? { msgtype: 'image', image: { image_url: f.images[0] } }
          : { msgtype: 'text', text: { content: mentioned(f) } }),
    });
  }
  const body = f.event
    ? `<MsgType>event</MsgType><Event><EventType>${BOT_EVENTS[f.event]}</EventType></Event>`
    : f.images?.length
      ? `<MsgType>image</MsgType><Image><ImageUrl>${cdata(f.images[0]!)}</ImageUrl></Image>`
      : `<MsgType>text</MsgType><Text><Content>${cdata(mentioned(f))}</Content></Text>`;
  return (
    `<xml><WebhookUrl>${cdata(f.webhookUrl ?? '')}</WebhookUrl><MsgId>${cdata(msgId)}</MsgId>` +
    `<ChatId>${cdata(chatId)}</ChatId><ChatType>${chatType}</ChatType>` +
    `<From><UserId>${cdata(f.user)}</UserId><Name>${cdata(f.userName ?? f.user)}</Name><Alias>${cdata(f.user)}</Alias></From>` +
    `${body}</xml>`
  );
}

/** path/96467 (messages) and the event format next to it (enter_agent). */
function appPlaintext(creds: WeComCredentials, f: CallbackFields, msgId: string, timestamp: number): string {
  const head =
    `<xml><ToUserName>${cdata(creds.corpId)}</ToUserName><FromUserName>${cdata(f.user)}</FromUserName>` +
    `<CreateTime>${timestamp}</CreateTime>`;
  const agent = `<AgentID>${f.agentId ?? '1000002'}</AgentID>`;
  if (f.event) return `${head}<MsgType>${cdata('event')}</MsgType><Event>${cdata('enter_agent')}</Event>${agent}</xml>`;
  return `${head}<MsgType>${cdata('text')}</MsgType><Content>${cdata(f.text ?? '')}</Content><MsgId>${msgId}</MsgId>${agent}</xml>`;
}

/** Signs an arbitrary plaintext for a channel's endpoint (for malformed-message tests). */
export function sealCallback(
  creds: WeComCredentials,
  channel: Channel,
  plaintext: string,
  opts: SignOptions & { json?: boolean; agentId?: string; msgId?: string } = {},
): SignedCallback {
  const timestamp = opts.timestamp ?? nowSeconds();
  const nonce = opts.nonce ?? randomNonce();
  const sealed = seal(creds, receiveIdFor(creds, channel), plaintext, timestamp, nonce);
  const json = channel === 'aibot' || (channel === 'bot' && opts.json);
  const query = new URLSearchParams({ msg_signature: sealed.signature, timestamp: String(timestamp), nonce });
  if (channel === 'bot' && opts.json) query.set('robot_callback_format', 'json');
  let body: string;
  if (json) body = JSON.stringify({ encrypt: sealed.encrypt });
  else if (channel === 'app') {
    // path/91144: the app envelope also names the CorpID and the AgentID.
    body = `<xml><ToUserName>${cdata(creds.corpId)}</ToUserName><AgentID>${cdata(opts.agentId ?? '1000002')}</AgentID><Encrypt>${cdata(sealed.encrypt)}</Encrypt></xml>`;
  } else body = `<xml><Encrypt>${cdata(sealed.encrypt)}</Encrypt></xml>`;
  return {
    url: `${PATHS[channel]}?${query.toString()}`,
    body,
    contentType: json ? 'application/json' : 'text/xml',
    plaintext,
    msgId: opts.msgId ?? '',
    timestamp,
    nonce,
  };
}

/** A correctly signed and encrypted callback of any channel, built from plain fields. */
export function buildCallback(creds: WeComCredentials, fields: CallbackFields, opts: SignOptions = {}): SignedCallback {
  const channel = fields.channel ?? 'aibot';
  const timestamp = opts.timestamp ?? nowSeconds();
  const msgId = fields.msgId ?? newMsgId(channel);
  const plaintext =
    channel === 'aibot' ? aibotPlaintext(fields, msgId, timestamp) : channel === 'bot' ? botPlaintext(fields, msgId) : appPlaintext(creds, fields, msgId, timestamp);
  return sealCallback(creds, channel, plaintext, { ...opts, timestamp, json: fields.json, agentId: fields.agentId, msgId });
}

/** The GET WeCom sends when the callback URL is saved (path/101033 验证URL有效性). */
export function buildUrlVerification(
  creds: WeComCredentials,
  channel: Channel,
  opts: SignOptions & { echo?: string } = {},
): { url: string; echo: string } {
  const echo = opts.echo ?? String(randomInt(1, 2 ** 47));
  const timestamp = opts.timestamp ?? nowSeconds();
  const nonce = opts.nonce ?? randomNonce();
  const sealed = seal(creds, receiveIdFor(creds, channel), echo, timestamp, nonce);
  const query = new URLSearchParams({ msg_signature: sealed.signature, timestamp: String(timestamp), nonce, echostr: sealed.encrypt });
  return { url: `${PATHS[channel]}?${query.toString()}`, echo };
}

/** A passive reply, decrypted. */
export interface DecodedReply {
  /** empty: a 200 without a body (acknowledged). */
  kind: 'empty' | 'stream' | 'text' | 'markdown';
  text: string;
  /** false only for an unfinished intelligent-robot stream (WeCom will poll it). */
  finished: boolean;
  streamId?: string;
  /** The decrypted reply message. */
  plaintext?: string;
}

const jsonReplyEnvelope = z.object({ encrypt: z.string(), msgsignature: z.string(), timestamp: z.number(), nonce: z.string() });
const xmlReplyEnvelope = z.object({
  xml: z.object({ Encrypt: z.string(), MsgSignature: z.string(), TimeStamp: z.string(), Nonce: z.string() }),
});
const aibotReply = z.union([
  z.object({ msgtype: z.literal('stream'), stream: z.object({ id: z.string(), finish: z.boolean(), content: z.string() }) }),
  z.object({ msgtype: z.literal('text'), text: z.object({ content: z.string() }) }),
]);
const botJsonReply = z.object({ msgtype: z.literal('markdown'), markdown: z.object({ content: z.string() }) });
const botXmlReply = z.object({ xml: z.object({ MsgType: z.literal('markdown'), Markdown: z.object({ Content: z.string() }) }) });
const appXmlReply = z.object({ xml: z.object({ MsgType: z.literal('text'), Content: z.string(), ToUserName: z.string() }) });

/**
 * Verifies, decrypts and reads a passive reply body as WeCom would. Throws when the reply
 * is not signed with the token, not encrypted for this channel, or not in its format.
 */
export function decodeReply(creds: WeComCredentials, channel: Channel, body: string, opts: { json?: boolean } = {}): DecodedReply {
  if (body === '') return { kind: 'empty', text: '', finished: true };
  const json = channel === 'aibot' || (channel === 'bot' && opts.json);
  const env = json
    ? jsonReplyEnvelope.parse(JSON.parse(body))
    : (({ xml }) => ({ encrypt: xml.Encrypt, msgsignature: xml.MsgSignature, timestamp: xml.TimeStamp, nonce: xml.Nonce }))(
        xmlReplyEnvelope.parse(parseXml(body)),
      );
  if (!verifySignature(creds.token, String(env.timestamp), env.nonce, env.encrypt, env.msgsignature)) {
    throw new Error('reply signature does not match the token');
  }
  const { message, receiveId } = decryptMessage(creds.encodingAesKey, env.encrypt);
  if (receiveId !== receiveIdFor(creds, channel)) throw new Error(`reply encrypted for receive id "${receiveId}"`);
  if (channel === 'aibot') {
    const r = aibotReply.parse(JSON.parse(message));
    if (r.msgtype === 'text') return { kind: 'text', text: r.text.content, finished: true, plaintext: message };
    return { kind: 'stream', text: r.stream.content, finished: r.stream.finish, streamId: r.stream.id, plaintext: message };
  }
  if (channel === 'bot') {
    const content = json ? botJsonReply.parse(JSON.parse(message)).markdown.content : botXmlReply.parse(parseXml(message)).xml.Markdown.Content;
    return { kind: 'markdown', text: content, finished: true, plaintext: message };
  }
  return { kind: 'text', text: appXmlReply.parse(parseXml(message)).xml.Content, finished: true, plaintext: message };
}
