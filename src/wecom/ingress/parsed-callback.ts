import { createHash } from 'node:crypto';
import type { IncomingMessage } from '../message';
import { CallbackRejected } from './open-callback';

/** What a decrypted callback turned out to be. */
export type ParsedCallback =
  | { kind: 'message'; message: IncomingMessage }
  /** Intelligent robot: WeCom polls for the rest of a stream we answered unfinished (path/100719). */
  | { kind: 'stream-refresh'; streamId: string }
  /** Something the bot does not act on (template-card clicks, feedback, other events): empty 200. */
  | { kind: 'ignored'; what: string };

const SPACE = '\\s\\u2005\\u3000';
const LEADING_MENTION = new RegExp(`^[${SPACE}]*@[^${SPACE}/／]+[${SPACE}]*`);

/**
 * Removes the leading "@机器人名" WeCom puts before a group message to the bot (followed by
 * a space, U+2005 or U+3000), and trims. A slash ends the name, so "@楼院通/帮助" works too.
 */
export function stripMention(text: string): string {
  return text.replace(LEADING_MENTION, '').trim();
}

/** For callbacks without a message id (some events): retries carry the same plaintext. */
export function plaintextId(plaintext: string): string {
  return 'sha1-' + createHash('sha1').update(plaintext).digest('hex');
}

/** 400 for a decrypted message that does not have the documented shape. */
export function badInner(channel: string, detail: string): CallbackRejected {
  return new CallbackRejected(400, `decrypted ${channel} callback does not match the documented format: ${detail}`);
}
