/** What one push becomes on the wire (its parts), and the push read back from its document. */
import type { OutboxItem } from '../../db/models/outbox-item';
import { CONTENT_LIMITS, splitByBytes, truncateToBytes } from '../../text/split';
import { withMentions, type WeComMessage } from '../client';
import type { PushPayload, PushTarget } from './types';

const TRUNCATED_NOTE = '\n\n……（内容过长，已截断）';

/**
 * The messages one push becomes: markdown over its byte limit is split at line ends into
 * several, text likewise (mentions on the last part); a response_url allows one call, so
 * there it is cut short instead.
 */
export function pushParts(target: PushTarget, payload: PushPayload): WeComMessage[] {
  if (payload.type === 'image' || payload.type === 'file') return [payload];
  if (target.kind === 'response_url') {
    const content = truncateToBytes(withMentions(payload.content, payload.mentions), CONTENT_LIMITS.responseUrl.markdown, TRUNCATED_NOTE);
    return [{ type: 'markdown', content }];
  }
  const limits = target.kind === 'app' ? CONTENT_LIMITS.app : CONTENT_LIMITS.webhook;
  // An app chat is 1:1; mentions mean nothing there.
  const mentioned = target.kind === 'app' ? undefined : payload.mentions;
  if (payload.type === 'markdown') {
    return splitByBytes(withMentions(payload.content, mentioned), limits.markdown).map((content) => ({ type: 'markdown', content }));
  }
  const pieces = splitByBytes(payload.content, limits.text);
  return pieces.map((content, i) => (i === pieces.length - 1 && mentioned ? { type: 'text', content, mentions: mentioned } : { type: 'text', content }));
}

/** A copy as a plain Buffer, whatever the driver handed back (Buffer, MongooseBuffer, BSON Binary). */
function toBuffer(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return Buffer.from(value);
  const binary = value as { buffer?: Uint8Array; length?: () => number } | undefined;
  if (binary?.buffer instanceof Uint8Array) {
    const n = typeof binary.length === 'function' ? binary.length() : binary.buffer.length;
    return Buffer.from(binary.buffer.subarray(0, n));
  }
  throw new Error('outbox payload is missing its bytes');
}

type StoredItem = Pick<OutboxItem, 'target' | 'payload'>;

export function targetOf(doc: StoredItem): PushTarget {
  const t = doc.target;
  if (t.kind === 'app') return { kind: 'app', toUser: t.toUser ?? '' };
  return { kind: t.kind, url: t.url ?? '' };
}

export function payloadOf(doc: StoredItem): PushPayload {
  const p = doc.payload;
  switch (p.type) {
    case 'markdown':
    case 'text':
      return { type: p.type, content: p.content ?? '', ...(p.mentions?.length ? { mentions: [...p.mentions] } : {}) };
    case 'image':
      return { type: 'image', png: toBuffer(p.png) };
    case 'file':
      return { type: 'file', filename: p.filename ?? 'file', data: toBuffer(p.data) };
  }
}
