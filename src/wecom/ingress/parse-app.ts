import { z } from 'zod';
import { badInner, type ParsedCallback } from './parsed-callback';
import { parseXml } from './xml';

/**
 * A self-built app's decrypted XML (消息格式 path/96467, and the 事件格式 page next to it):
 * ToUserName (CorpID), FromUserName, CreateTime, MsgType, Content, MsgId, AgentID; events
 * carry Event instead of MsgId.
 */
const appSchema = z.object({
  xml: z.object({
    ToUserName: z.string().min(1),
    FromUserName: z.string().min(1),
    CreateTime: z.string().regex(/^\d+$/),
    MsgType: z.string(),
    Content: z.string().optional(),
    MsgId: z.string().optional(),
    AgentID: z.string().optional(),
    Event: z.string().optional(),
  }),
});

/** Parses a decrypted self-built-app callback. */
export function parseApp(plaintext: string): ParsedCallback {
  const parsed = appSchema.safeParse(parseXml(plaintext));
  if (!parsed.success) throw badInner('app', parsed.error.issues.map((i) => i.path.join('.') || i.message).join(', '));
  const x = parsed.data.xml;
  const base = {
    channel: 'app' as const,
    chatId: x.FromUserName,
    chatType: 'single' as const,
    sender: { userId: x.FromUserName },
    time: new Date(Number(x.CreateTime) * 1000),
  };
  if (x.MsgType === 'event') {
    // Events have no MsgId; WeCom says to dedupe them on FromUserName + CreateTime (path/96466).
    if (x.Event !== 'enter_agent') return { kind: 'ignored', what: `event ${x.Event}` };
    return { kind: 'message', message: { ...base, msgId: `${x.FromUserName}-${x.CreateTime}`, text: '', kind: 'event', event: 'enter' } };
  }
  if (!x.MsgId) throw badInner('app', 'message without MsgId');
  if (x.MsgType === 'text' && x.Content === undefined) throw badInner('app', 'text message without Content');
  return {
    kind: 'message',
    message: {
      ...base,
      msgId: x.MsgId,
      text: x.MsgType === 'text' ? (x.Content ?? '').trim() : '',
      kind: x.MsgType === 'text' ? 'text' : 'other',
    },
  };
}
