/** The checks a push passes before it is stored, and the document it is stored as. */
import { z } from 'zod';
import { laneOf } from './lanes';
import type { PushRequest } from './types';

let seqCounter = 0;

const buffer = z.custom<Buffer>((v) => Buffer.isBuffer(v), 'must be a Buffer');
const mentions = z.array(z.string().min(1)).optional();
const requestSchema = z
  .object({
    dedupeKey: z.string().min(1).max(512),
    target: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('webhook'), url: z.string().min(1) }),
      z.object({ kind: z.literal('response_url'), url: z.url() }),
      z.object({ kind: z.literal('app'), toUser: z.string().min(1) }),
    ]),
    payload: z.discriminatedUnion('type', [
      z.object({ type: z.literal('markdown'), content: z.string().min(1), mentions }),
      z.object({ type: z.literal('text'), content: z.string().min(1), mentions }),
      // path/99110: images ≤ 2 MB; files 5 B – 20 MB, but a MongoDB document holds 16 MB.
      z.object({ type: z.literal('image'), png: buffer.refine((b) => b.length > 0 && b.length <= 2 * 1024 * 1024, 'image must be 1 B – 2 MB') }),
      z.object({
        type: z.literal('file'),
        filename: z.string().min(1),
        data: buffer.refine((b) => b.length >= 5 && b.length <= 15 * 1024 * 1024, 'file must be 5 B – 15 MB'),
      }),
    ]),
    notBefore: z.date().optional(),
  })
  .refine((r) => r.target.kind !== 'response_url' || r.payload.type === 'markdown' || r.payload.type === 'text', {
    message: 'a response_url takes markdown or text only',
  });

/** The document of a push enqueued at `createdAt`; throws when the request is malformed. */
export function toDocument(req: PushRequest, createdAt: Date): Record<string, unknown> {
  const parsed = requestSchema.safeParse(req);
  if (!parsed.success) {
    throw new Error(`invalid push ${req.dedupeKey}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const notBefore = req.notBefore ?? createdAt;
  return {
    dedupeKey: req.dedupeKey,
    target: req.target,
    lane: laneOf(req.target),
    payload: req.payload,
    status: 'pending',
    attempts: 0,
    partsSent: 0,
    notBefore,
    nextAttemptAt: notBefore,
    createdAt,
    seq: seqCounter++,
  };
}
