import { z } from 'zod';
import type { IncomingImage } from '../message';
import { badInner, stripMention, type ParsedCallback } from './parsed-callback';

/**
 * The intelligent robot's decrypted JSON (接收消息 path/100719, 接收事件 path/101027).
 * Unknown fields are dropped; quote, voice and file details are not needed. Pictures (image,
 * and the image items of a mixed message) are links valid 5 minutes, encrypted with the
 * EncodingAESKey (src/wecom/media.ts).
 */
const image = z.object({ url: z.string().min(1) });
const aibotSchema = z.object({
  msgid: z.string().min(1),
  aibotid: z.string().optional(),
  /** Only for group chats. */
  chatid: z.string().optional(),
  chattype: z.enum(['single', 'group']).optional(),
  from: z.object({ userid: z.string().min(1) }),
  response_url: z.string().optional(),
  create_time: z.number().optional(),
  msgtype: z.string(),
  image: image.optional(),
  text: z.object({ content: z.string() }).optional(),
  mixed: z
    .object({ msg_item: z.array(z.object({ msgtype: z.string(), text: z.object({ content: z.string() }).optional(), image: image.optional() })) })
    .optional(),
  stream: z.object({ id: z.string().min(1) }).optional(),
  event: z.object({ eventtype: z.string() }).optional(),
});

/** Parses a decrypted intelligent-robot callback. */
export function parseAibot(plaintext: string, now: Date): ParsedCallback {
  let json: unknown;
  try {
    json = JSON.parse(plaintext);
  } catch {
    throw badInner('intelligent robot', 'not JSON');
  }
  const parsed = aibotSchema.safeParse(json);
  if (!parsed.success) throw badInner('intelligent robot', parsed.error.issues.map((i) => i.path.join('.') || i.message).join(', '));
  const m = parsed.data;

  if (m.msgtype === 'stream') {
    if (!m.stream) throw badInner('intelligent robot', 'stream refresh without stream.id');
    return { kind: 'stream-refresh', streamId: m.stream.id };
  }
  if (m.msgtype === 'event' && m.event?.eventtype !== 'enter_chat') return { kind: 'ignored', what: `event ${m.event?.eventtype}` };

  const chatType = m.chattype ?? (m.chatid ? 'group' : 'single');
  let text = '';
  let kind: 'text' | 'event' | 'image' | 'other' = 'other';
  let images: IncomingImage[] | undefined;
  if (m.msgtype === 'text') {
    if (!m.text) throw badInner('intelligent robot', 'text message without text.content');
    text = stripMention(m.text.content);
    kind = 'text';
  } else if (m.msgtype === 'mixed') {
    // Text and images mixed (path/100719): the text parts are what a command can use.
    const items = m.mixed?.msg_item ?? [];
    text = stripMention(items.map((i) => i.text?.content ?? '').join(' '));
    images = items.flatMap((i) => (i.msgtype === 'image' && i.image ? [{ url: i.image.url, encrypted: true }] : []));
    kind = text === '' && images.length ? 'image' : 'text';
  } else if (m.msgtype === 'image') {
    if (!m.image) throw badInner('intelligent robot', 'image message without image.url');
    images = [{ url: m.image.url, encrypted: true }];
    kind = 'image';
  } else if (m.msgtype === 'event') {
    kind = 'event';
  }
  return {
    kind: 'message',
    message: {
      channel: 'aibot',
      msgId: m.msgid,
      chatId: chatType === 'group' && m.chatid ? m.chatid : m.from.userid,
      chatType,
      sender: { userId: m.from.userid },
      text,
      kind,
      ...(images?.length ? { images } : {}),
      event: kind === 'event' ? 'enter' : undefined,
      responseUrl: m.response_url || undefined,
      time: m.create_time ? new Date(m.create_time * 1000) : now,
    },
  };
}
