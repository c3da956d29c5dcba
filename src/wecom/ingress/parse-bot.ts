import { z } from 'zod';
import type { IncomingMessage } from '../message';
import { badInner, plaintextId, stripMention, type ParsedCallback } from './parsed-callback';
import { parseXml } from './xml';

/**
 * The group robot callback's decrypted message (群机器人回调, beta, path/99399): XML by
 * default. With `robot_callback_format=json` on the callback URL the same fields arrive as
 * JSON in snake case (webhook_url, msgid, chatid, chattype, from.userid/name/alias,
 * msgtype, text.content, event.event_type); that variant is not on the stored copy of the
 * page and follows public code that speaks it. A picture (MsgType image) carries its link in
 * Image/ImageUrl (JSON: image.image_url), not encrypted.
 */
const botXmlSchema = z.object({
  xml: z.object({
    WebhookUrl: z.string().optional(),
    MsgId: z.string().optional(),
    ChatId: z.string().optional(),
    ChatType: z.enum(['single', 'group']).optional(),
    From: z.object({ UserId: z.string().min(1), Name: z.string().optional(), Alias: z.string().optional() }),
    MsgType: z.string(),
    Text: z.object({ Content: z.string() }).optional(),
    Image: z.object({ ImageUrl: z.string().min(1) }).optional(),
    Event: z.object({ EventType: z.string() }).optional(),
  }),
});

const botJsonSchema = z.object({
  webhook_url: z.string().optional(),
  msgid: z.string().optional(),
  chatid: z.string().optional(),
  chattype: z.enum(['single', 'group']).optional(),
  from: z.object({ userid: z.string().min(1), name: z.string().optional(), alias: z.string().optional() }),
  msgtype: z.string(),
  text: z.object({ content: z.string() }).optional(),
  image: z.object({ image_url: z.string().min(1) }).optional(),
  event: z.object({ event_type: z.string() }).optional(),
});

/** The fields both variants share, in one shape. */
interface BotFields {
  webhookUrl?: string;
  msgId?: string;
  chatId?: string;
  chatType?: 'single' | 'group';
  from: { userId: string; name?: string; alias?: string };
  msgType: string;
  content?: string;
  imageUrl?: string;
  eventType?: string;
}

function readXml(plaintext: string): BotFields {
  const parsed = botXmlSchema.safeParse(parseXml(plaintext));
  if (!parsed.success) throw badInner('group robot', parsed.error.issues.map((i) => i.path.join('.') || i.message).join(', '));
  const x = parsed.data.xml;
  return {
    webhookUrl: x.WebhookUrl,
    msgId: x.MsgId,
    chatId: x.ChatId,
    chatType: x.ChatType,
    from: { userId: x.From.UserId, name: x.From.Name, alias: x.From.Alias },
    msgType: x.MsgType,
    content: x.Text?.Content,
    imageUrl: x.Image?.ImageUrl,
    eventType: x.Event?.EventType,
  };
}

function readJson(plaintext: string): BotFields {
  let json: unknown;
  try {
    json = JSON.parse(plaintext);
  } catch {
    throw badInner('group robot', 'not JSON');
  }
  const parsed = botJsonSchema.safeParse(json);
  if (!parsed.success) throw badInner('group robot', parsed.error.issues.map((i) => i.path.join('.') || i.message).join(', '));
  const j = parsed.data;
  return {
    webhookUrl: j.webhook_url,
    msgId: j.msgid,
    chatId: j.chatid,
    chatType: j.chattype,
    from: { userId: j.from.userid, name: j.from.name, alias: j.from.alias },
    msgType: j.msgtype,
    content: j.text?.content,
    imageUrl: j.image?.image_url,
    eventType: j.event?.event_type,
  };
}

const EVENTS: Record<string, IncomingMessage['event']> = {
  add_to_chat: 'added',
  delete_from_chat: 'removed',
  enter_chat: 'enter',
};

/** Parses a decrypted group-robot callback. */
export function parseBot(plaintext: string, format: 'xml' | 'json', now: Date): ParsedCallback {
  const f = format === 'xml' ? readXml(plaintext) : readJson(plaintext);
  let kind: IncomingMessage['kind'] = 'other';
  let event: IncomingMessage['event'];
  if (f.msgType === 'text') {
    if (f.content === undefined) throw badInner('group robot', 'text message without Text/Content');
    kind = 'text';
  } else if (f.msgType === 'image') {
    if (f.imageUrl === undefined) throw badInner('group robot', 'image message without Image/ImageUrl');
    kind = 'image';
  } else if (f.msgType === 'event') {
    event = f.eventType ? EVENTS[f.eventType] : undefined;
    if (!event) return { kind: 'ignored', what: `event ${f.eventType}` };
    kind = 'event';
  }
  const chatType = f.chatType ?? 'group';
  return {
    kind: 'message',
    message: {
      channel: 'bot',
      msgId: f.msgId || plaintextId(plaintext),
      chatId: f.chatId || f.from.userId,
      chatType,
      sender: { userId: f.from.userId, name: f.from.name || undefined, alias: f.from.alias || undefined },
      text: kind === 'text' ? stripMention(f.content ?? '') : '',
      kind,
      ...(kind === 'image' ? { images: [{ url: f.imageUrl!, encrypted: false }] } : {}),
      event,
      webhookUrl: f.webhookUrl || undefined,
      time: now,
    },
  };
}
