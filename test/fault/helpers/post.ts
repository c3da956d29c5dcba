import type Koa from 'koa';
import request from 'supertest';
import { TEST_CREDS, buildCallback, decodeReply, type CallbackFields } from '../../helpers/wecom';

/** WeCom gives a callback 5 s before it counts it as failed and retries (path/96466). */
export const WECOM_TIMEOUT_MS = 5000;

/**
 * Sends one signed text callback and decodes the passive reply; rejects when the answer
 * takes longer than WeCom waits.
 */
export async function postWithin5s(app: Koa, fields: CallbackFields): Promise<{ status: number; text: string; finished: boolean }> {
  const cb = buildCallback(TEST_CREDS, fields);
  const res = await request(app.callback()).post(cb.url).set('Content-Type', cb.contentType).send(cb.body).timeout(WECOM_TIMEOUT_MS);
  if (res.status !== 200) return { status: res.status, text: '', finished: true };
  const reply = decodeReply(TEST_CREDS, fields.channel ?? 'aibot', res.text, { json: fields.json });
  return { status: 200, text: reply.text, finished: reply.finished };
}
