import { withMentions } from './client';
import { seal } from './crypto';
import { cdata } from './ingress/xml';
import type { Channel, Reply } from './message';
import { splitByBytes, utf8Bytes } from '../text/split';

/**
 * Passive replies: the answer carried in the HTTP response to a callback, encrypted in the
 * channel's own format. Intelligent robot: a `stream` (markdown, ≤ 20,480 bytes, path/101031);
 * group robot: markdown XML (path/99399; markdown ≤ 4,096 bytes like its webhook, path/99110);
 * self-built app: text XML (≤ 2,048 bytes, path/96469).
 */
export const PASSIVE_LIMIT_BYTES: Record<Channel, number> = { aibot: 20480, bot: 4096, app: 2048 };

/** Shown in an intelligent-robot stream until the answer is ready. */
export const PENDING_TEXT = '⏳ 正在处理，请稍候…';
/** Closes a stream whose answer went out by push instead (WeCom had stopped polling). */
export const PUSHED_TEXT = '答复用时较长，已单独发送。';

/** The part of a reply that fits the passive limit, and what must follow by push. */
export interface SplitReply {
  passive: string;
  rest?: { content: string; mentions?: string[] };
}

/** What a passive reply says. */
export type PassiveContent =
  | { type: 'answer'; content: string }
  /** Intelligent robot only: an unfinished stream; WeCom then polls with refresh callbacks. */
  | { type: 'pending' }
  /** Intelligent robot only: a plain `text` reply, allowed just for the enter_chat welcome. */
  | { type: 'welcome'; content: string };

export interface PassiveContext {
  channel: Channel;
  /** json: intelligent robot, and the group robot with robot_callback_format=json. */
  format: 'xml' | 'json';
  keys: { token: string; encodingAesKey: string; receiveId: string };
  /** The callback's own nonce: WeCom requires it back (path/101033). */
  nonce: string;
  now: Date;
  /** Intelligent robot: the stream id this message's answer uses. */
  streamId?: string;
  /** Self-built app: the user (ToUserName) and the CorpID (FromUserName). */
  toUser?: string;
  corpId?: string;
}

/** WeCom markdown → the plain text an app text message shows. */
export function markdownToText(markdown: string): string {
  return markdown
    .replace(/<font[^>]*>|<\/font>/g, '')
    .replace(/<@([^>]+)>/g, '@$1')
    .replace(/\*\*(.+?)\*\*/g, '$1')
    .replace(/^#{1,6}\s+/gm, '')
    .replace(/^>\s?/gm, '')
    .replace(/\[([^\]]+)\]\(([^)]+)\)/g, '$1 ($2)')
    .replace(/`([^`]+)`/g, '$1');
}

/**
 * Renders a Reply for a channel and splits it at the passive limit. Mentions: the group
 * robot's markdown renders `<@userid>` (path/99110), appended to the last part; the
 * intelligent robot's stream markdown and 1:1 app chats have nothing to mention with.
 */
export function splitReply(channel: Channel, reply: Reply): SplitReply {
  const limit = PASSIVE_LIMIT_BYTES[channel];
  const mentions = channel === 'bot' && reply.mentions?.length ? reply.mentions : undefined;
  const text = channel === 'app' ? markdownToText(reply.markdown) : reply.markdown;
  const whole = withMentions(text, mentions);
  if (utf8Bytes(whole) <= limit) return { passive: whole };
  const [first, ...rest] = splitByBytes(text, limit);
  return { passive: first!.replace(/\n$/, ''), rest: { content: rest.join(''), mentions } };
}

function innerPlaintext(ctx: PassiveContext, content: PassiveContent): string {
  if (ctx.channel === 'aibot') {
    // path/101031: 流式消息回复 / 回复欢迎语.
    if (content.type === 'welcome') return JSON.stringify({ msgtype: 'text', text: { content: content.content } });
    const finish = content.type === 'answer';
    return JSON.stringify({
      msgtype: 'stream',
      stream: { id: ctx.streamId, finish, content: finish ? content.content : PENDING_TEXT },
    });
  }
  if (content.type === 'pending') throw new Error('only the intelligent robot has unfinished replies');
  if (ctx.channel === 'bot') {
    // path/99399: 加密与回复 (markdown).
    if (ctx.format === 'json') return JSON.stringify({ msgtype: 'markdown', markdown: { content: content.content } });
    return `<xml><MsgType>markdown</MsgType><Markdown><Content>${cdata(content.content)}</Content></Markdown></xml>`;
  }
  // path/96469: 被动回复消息格式, 文本消息.
  return (
    `<xml><ToUserName>${cdata(ctx.toUser ?? '')}</ToUserName><FromUserName>${cdata(ctx.corpId ?? '')}</FromUserName>` +
    `<CreateTime>${Math.floor(ctx.now.getTime() / 1000)}</CreateTime><MsgType>${cdata('text')}</MsgType>` +
    `<Content>${cdata(content.content)}</Content></xml>`
  );
}

/** The encrypted HTTP response body of a passive reply, and its content type. */
export function renderPassive(ctx: PassiveContext, content: PassiveContent): { body: string; type: string } {
  const sealed = seal(ctx.keys, ctx.keys.receiveId, innerPlaintext(ctx, content), Math.floor(ctx.now.getTime() / 1000), ctx.nonce);
  if (ctx.format === 'json') {
    // path/101033: 加密与被动回复 — {encrypt, msgsignature, timestamp (seconds), nonce}.
    const body = { encrypt: sealed.encrypt, msgsignature: sealed.signature, timestamp: sealed.timestamp, nonce: sealed.nonce };
    return { body: JSON.stringify(body), type: 'application/json' };
  }
  // path/91144 (app) and path/99399 (group robot): the XML reply envelope.
  return {
    body:
      `<xml><Encrypt>${cdata(sealed.encrypt)}</Encrypt><MsgSignature>${cdata(sealed.signature)}</MsgSignature>` +
      `<TimeStamp>${sealed.timestamp}</TimeStamp><Nonce>${cdata(sealed.nonce)}</Nonce></xml>`,
    type: 'application/xml',
  };
}
