/**
 * Signed links of the public board (src/board/router.ts), in the style of the dashboard's
 * (src/dashboard/link.ts): readable payload, HMAC-SHA256 keyed with config.dashboardSecret
 * under a context of their own, so no token of one kind passes as another.
 *
 *   board:     <courtyard _id>.<board generation>.<signature>      /board/<token>
 *   follow:    <request _id>.<signature>                            /board/r/<token>
 *   challenge: <a>.<b>.<expiry, unix seconds>.<signature>          (a hidden form field)
 *
 * A board link has no expiry: it is printed on a poster and posted in the courtyard. It is
 * revoked by `/公示码 重置`, which raises the courtyard's `boardGeneration` (the router
 * compares). A follow link is the resident's own, for one request; it needs no revocation
 * (an admin's `/诉求 作废` shows there as 已作废).
 */
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';

const BOARD_CONTEXT = 'louyuantong-board-v1';
const FOLLOW_CONTEXT = 'louyuantong-board-request-v1';
const CHALLENGE_CONTEXT = 'louyuantong-board-challenge-v1';
const OBJECT_ID = /^[0-9a-f]{24}$/;
const SIGNATURE = /^[A-Za-z0-9_-]{43}$/;

/** How long a challenge question may be answered. */
export const CHALLENGE_VALID_MS = 30 * 60_000;

function sign(secret: string, context: string, payload: string): string {
  return createHmac('sha256', secret).update(`${context}|${payload}`).digest('base64url');
}

/** Compares in constant time, and only the one canonical encoding the server issues. */
function signatureOk(secret: string, context: string, payload: string, given: string): boolean {
  if (!SIGNATURE.test(given)) return false;
  const a = Buffer.from(sign(secret, context, payload));
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token of courtyard `courtyardId`'s board at `generation`. */
export function signBoardToken(secret: string, courtyardId: string, generation: number): string {
  const payload = `${courtyardId}.${generation}`;
  return `${payload}.${sign(secret, BOARD_CONTEXT, payload)}`;
}

/** The courtyard and generation a board token names, or null (the router answers 404). */
export function verifyBoardToken(secret: string, token: string | undefined): { courtyardId: string; generation: number } | null {
  const parts = (token ?? '').split('.');
  if (parts.length !== 3) return null;
  const [id, generation, signature] = parts as [string, string, string];
  if (!OBJECT_ID.test(id) || !/^\d{1,9}$/.test(generation)) return null;
  if (!signatureOk(secret, BOARD_CONTEXT, `${id}.${generation}`, signature)) return null;
  return { courtyardId: id, generation: Number(generation) };
}

/** The follow link's token of one request. */
export function signFollowToken(secret: string, requestId: string): string {
  return `${requestId}.${sign(secret, FOLLOW_CONTEXT, requestId)}`;
}

/** The request a follow token names, or null. */
export function verifyFollowToken(secret: string, token: string | undefined): string | null {
  const parts = (token ?? '').split('.');
  if (parts.length !== 2) return null;
  const [id, signature] = parts as [string, string];
  return OBJECT_ID.test(id) && signatureOk(secret, FOLLOW_CONTEXT, id, signature) ? id : null;
}

/** A cheap challenge: a sum of two small numbers, and its signed token for the form. */
export interface Challenge {
  question: string;
  token: string;
}

export function newChallenge(secret: string, now: Date): Challenge {
  const a = randomInt(2, 20);
  const b = randomInt(2, 20);
  const payload = `${a}.${b}.${Math.floor((now.getTime() + CHALLENGE_VALID_MS) / 1000)}`;
  return { question: `${a} + ${b} = ?`, token: `${payload}.${sign(secret, CHALLENGE_CONTEXT, payload)}` };
}

/** Whether `answer` solves the challenge of `token` (well signed, not expired). */
export function checkChallenge(secret: string, token: string | undefined, answer: string | undefined, now: Date): boolean {
  const parts = (token ?? '').split('.');
  if (parts.length !== 4) return false;
  const [a, b, exp, signature] = parts as [string, string, string, string];
  if (!/^\d{1,2}$/.test(a) || !/^\d{1,2}$/.test(b) || !/^\d{1,12}$/.test(exp)) return false;
  if (!signatureOk(secret, CHALLENGE_CONTEXT, `${a}.${b}.${exp}`, signature)) return false;
  if (now.getTime() >= Number(exp) * 1000) return false;
  return (answer ?? '').trim() === String(Number(a) + Number(b));
}

/** The board's address for `courtyard` (its current generation). */
export function boardUrl(config: { publicUrl: string; dashboardSecret: string }, courtyard: { _id: unknown; boardGeneration?: number | null }): string {
  return `${config.publicUrl}/board/${signBoardToken(config.dashboardSecret, String(courtyard._id), courtyard.boardGeneration ?? 0)}`;
}
