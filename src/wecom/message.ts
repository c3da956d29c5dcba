/**
 * The seam between WeCom and the rest of the product: every callback channel is normalised
 * into an IncomingMessage, and every answer is a Reply. Commands never see WeCom formats.
 */
/** aibot: intelligent robot (JSON); bot: group robot callback (XML); app: self-built app (XML). */
export type Channel = 'aibot' | 'bot' | 'app';

export interface IncomingMessage {
  channel: Channel;
  /** WeCom's MsgId (or, for app events, FromUserName + CreateTime): the dedupe key. */
  msgId: string;
  /** The group's ChatId; for a 1:1 chat the sender's userid. */
  chatId: string;
  chatType: 'group' | 'single';
  sender: { userId: string; name?: string; alias?: string };
  /** Text with the leading @bot mention stripped and whitespace trimmed; '' for events. */
  text: string;
  /** 'image': a picture alone (its text is ''); a text with pictures (a mixed message) is 'text' with `images`. */
  kind: 'text' | 'event' | 'image' | 'other';
  /** The pictures the message carries, in order (intelligent robot: image, mixed; group robot: image). */
  images?: IncomingImage[];
  /** Pictures dropped where the message entered: their links were not on WeCom's origin (nothing is fetched from them). */
  foreignImages?: number;
  /** For kind 'event': the bot was added to / removed from the chat, or a user opened it. */
  event?: 'added' | 'removed' | 'enter';
  /** Group robot callback: the group's push webhook (arrives with every message). */
  webhookUrl?: string;
  /** Intelligent robot: a URL for one later answer (valid 1 hour). */
  responseUrl?: string;
  /** When WeCom says the message was sent (or when it arrived, if WeCom does not say). */
  time: Date;
}

/** A picture in a message: a short-lived link (5 minutes) to download it from WeCom before it expires. */
export interface IncomingImage {
  url: string;
  /** Intelligent robot: AES-256-CBC with the EncodingAESKey (src/wecom/media.ts); group robot: plain. */
  encrypted: boolean;
}

/** An answer in the WeCom markdown subset every client renders (see WECOM.md, webhook push). */
export interface Reply {
  markdown: string;
  /** userids to @mention; rendered as `<@userid>` in markdown or mentioned_list in text. */
  mentions?: string[];
  /**
   * Something for the sender's later messages in this chat to find until `until` (what it
   * is, only the handler knows): the ingress stores it with the message's claim and never
   * sends it.
   */
  attach?: Attachment;
}

/** See Reply's `attach`. */
export interface Attachment {
  until: Date;
  target: unknown;
}

/**
 * What the gateway already read for a message, handed on so the handler need not read it
 * again: the group chat's record as the ingress just upserted it, `G` as its group records
 * port stores it (absent: not read here, the handler reads it; null: not a group chat).
 */
export interface Known<G = unknown> {
  group?: G | null;
}

/** What the gateway hands each verified, deduplicated message to. null: no answer. */
export type MessageHandler<G = unknown> = (msg: IncomingMessage, known?: Known<G>) => Promise<Reply | null>;
