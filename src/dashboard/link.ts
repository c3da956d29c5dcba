/**
 * Signed dashboard links. A token names a scope and an expiry and carries an HMAC-SHA256
 * over both, keyed with config.dashboardSecret:
 *
 *   <kind>.<id or ->.<expiry, unix seconds>.<signature, base64url>
 *   street.5f6a…c3.1601251200.Xq3…
 *
 * Readable on purpose (nothing in it is secret; only the signature is), and URL-safe.
 * The link is a bearer credential: whoever holds it sees that scope until it expires.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a link shows: the whole district, one street office, or one courtyard. */
export type DashboardScope = { kind: 'district' } | { kind: 'street'; streetId: string } | { kind: 'courtyard'; courtyardId: string };

/** How long a link sent by /看板 stays valid. */
export const LINK_VALID_MS = 7 * 86_400_000;

const SIGNATURE_CONTEXT = 'louyuantong-dashboard-v1';
const OBJECT_ID = /^[0-9a-f]{24}$/;

function scopeId(scope: DashboardScope): string {
  if (scope.kind === 'street') return scope.streetId;
  if (scope.kind === 'courtyard') return scope.courtyardId;
  return '-';
}

function sign(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(`${SIGNATURE_CONTEXT}|${payload}`).digest();
}

/** A token for `scope`, valid until `expiresAt` (rounded down to the second). */
export function signDashboardToken(secret: string, scope: DashboardScope, expiresAt: Date): string {
  const payload = `${scope.kind}.${scopeId(scope)}.${Math.floor(expiresAt.getTime() / 1000)}`;
  return `${payload}.${sign(secret, payload).toString('base64url')}`;
}

export type TokenCheck =
  | { ok: true; scope: DashboardScope; expiresAt: Date }
  | { ok: false; reason: 'missing' | 'malformed' | 'bad-signature' | 'expired' };

/**
 * Checks a token: the signature first (constant-time), then the expiry against `now`.
 * Never throws; the reason is for logs only (the client just gets 403).
 */
export function verifyDashboardToken(secret: string, token: string | undefined, now: Date): TokenCheck {
  if (!token) return { ok: false, reason: 'missing' };
  const parts = token.split('.');
  if (parts.length !== 4) return { ok: false, reason: 'malformed' };
  const [kind, id, exp, signature] = parts as [string, string, string, string];
  const expected = sign(secret, `${kind}.${id}.${exp}`);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad-signature' };
  if (!/^\d{1,12}$/.test(exp)) return { ok: false, reason: 'malformed' };
  const expiresAt = new Date(Number(exp) * 1000);
  if (now.getTime() >= expiresAt.getTime()) return { ok: false, reason: 'expired' };
  if (kind === 'district' && id === '-') return { ok: true, scope: { kind }, expiresAt };
  if (kind === 'street' && OBJECT_ID.test(id)) return { ok: true, scope: { kind, streetId: id }, expiresAt };
  if (kind === 'courtyard' && OBJECT_ID.test(id)) return { ok: true, scope: { kind, courtyardId: id }, expiresAt };
  return { ok: false, reason: 'malformed' };
}

/** The page URL for `scope`: `<publicUrl>/dashboard?t=<token>`, valid {@link LINK_VALID_MS} from `now`. */
export function dashboardLink(
  config: { publicUrl: string; dashboardSecret: string },
  scope: DashboardScope,
  now: Date,
): { url: string; expiresAt: Date } {
  const expiresAt = new Date(now.getTime() + LINK_VALID_MS);
  const token = signDashboardToken(config.dashboardSecret, scope, expiresAt);
  return { url: `${config.publicUrl}/dashboard?t=${encodeURIComponent(token)}`, expiresAt: new Date(Math.floor(expiresAt.getTime() / 1000) * 1000) };
}
