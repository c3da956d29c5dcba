/**
 * Signed dashboard links. A token names a scope, the group it was issued in with that group's
 * link generation, and an expiry, and carries an HMAC-SHA256 over all of them, keyed with
 * config.dashboardSecret:
 *
 *   <kind>.<id or ->.<expiry, unix seconds>.<group _id>.<generation>.<signature, base64url>
 *   street.5f6a…c3.1601251200.5f6b…d4.0.Xq3…
 *
 * Readable on purpose (nothing in it is secret; only the signature is), and URL-safe.
 * The link is a bearer credential: whoever holds it sees that scope until it expires, or
 * until the group's links are revoked (`/看板 重置` raises the group's generation) or the
 * group is bound to another scope; the dashboard router checks both in the database.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a link shows: the whole district, one street office, or one courtyard. */
export type DashboardScope = { kind: 'district' } | { kind: 'street'; streetId: string } | { kind: 'courtyard'; courtyardId: string };

/** The group a link was issued in, and the group's link generation then. */
export interface LinkIssuer {
  groupId: string;
  generation: number;
}

/** How long a link sent by /看板 stays valid. */
export const LINK_VALID_MS = 7 * 86_400_000;
/** How long the 大屏 link stays valid: a wall screen is set up once a month, not once a week. */
export const SCREEN_LINK_VALID_MS = 30 * 86_400_000;

const SIGNATURE_CONTEXT = 'louyuantong-dashboard-v2';
const OBJECT_ID = /^[0-9a-f]{24}$/;
/** An HMAC-SHA256 in unpadded base64url. */
const SIGNATURE = /^[A-Za-z0-9_-]{43}$/;

function scopeId(scope: DashboardScope): string {
  if (scope.kind === 'street') return scope.streetId;
  if (scope.kind === 'courtyard') return scope.courtyardId;
  return '-';
}

function sign(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(`${SIGNATURE_CONTEXT}|${payload}`).digest();
}

/** A token for `scope`, issued in `issuer`'s group, valid until `expiresAt` (rounded down to the second). */
export function signDashboardToken(secret: string, scope: DashboardScope, issuer: LinkIssuer, expiresAt: Date): string {
  const payload = `${scope.kind}.${scopeId(scope)}.${Math.floor(expiresAt.getTime() / 1000)}.${issuer.groupId}.${issuer.generation}`;
  return `${payload}.${sign(secret, payload).toString('base64url')}`;
}

export type TokenCheck =
  | { ok: true; scope: DashboardScope; issuer: LinkIssuer; expiresAt: Date }
  | { ok: false; reason: 'missing' | 'malformed' | 'bad-signature' | 'expired' };

/**
 * Checks a token: the signature first (in its one canonical encoding, compared in constant
 * time), then the expiry against `now`. Never throws; the reason is for logs only (the
 * client just gets 403). The issuer's generation is the caller's to check.
 */
export function verifyDashboardToken(secret: string, token: string | undefined, now: Date): TokenCheck {
  if (!token) return { ok: false, reason: 'missing' };
  const parts = token.split('.');
  if (parts.length !== 6) return { ok: false, reason: 'malformed' };
  const [kind, id, exp, groupId, generation, signature] = parts as [string, string, string, string, string, string];
  // Base64url decoding forgives: stray characters are skipped, and the last character's two
  // padding bits are ignored, so several strings decode to the same bytes. Only the one
  // encoding the server issues is accepted: the given string must be the bytes re-encoded.
  if (!SIGNATURE.test(signature)) return { ok: false, reason: 'bad-signature' };
  const expected = sign(secret, `${kind}.${id}.${exp}.${groupId}.${generation}`);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected) || given.toString('base64url') !== signature) {
    return { ok: false, reason: 'bad-signature' };
  }
  if (!/^\d{1,12}$/.test(exp) || !OBJECT_ID.test(groupId) || !/^\d{1,9}$/.test(generation)) return { ok: false, reason: 'malformed' };
  const expiresAt = new Date(Number(exp) * 1000);
  if (now.getTime() >= expiresAt.getTime()) return { ok: false, reason: 'expired' };
  const issuer = { groupId, generation: Number(generation) };
  if (kind === 'district' && id === '-') return { ok: true, scope: { kind }, issuer, expiresAt };
  if (kind === 'street' && OBJECT_ID.test(id)) return { ok: true, scope: { kind, streetId: id }, issuer, expiresAt };
  if (kind === 'courtyard' && OBJECT_ID.test(id)) return { ok: true, scope: { kind, courtyardId: id }, issuer, expiresAt };
  return { ok: false, reason: 'malformed' };
}

/**
 * The page URL for `scope` issued in `issuer`'s group: `<publicUrl>/dashboard?t=<token>`, valid
 * {@link LINK_VALID_MS} from `now`, or {@link SCREEN_LINK_VALID_MS} with `&mode=screen` for the 大屏.
 */
export function dashboardLink(
  config: { publicUrl: string; dashboardSecret: string },
  scope: DashboardScope,
  issuer: LinkIssuer,
  now: Date,
  kind: 'page' | 'screen' = 'page',
): { url: string; expiresAt: Date } {
  const expiresAt = new Date(now.getTime() + (kind === 'screen' ? SCREEN_LINK_VALID_MS : LINK_VALID_MS));
  const token = signDashboardToken(config.dashboardSecret, scope, issuer, expiresAt);
  return {
    url: `${config.publicUrl}/dashboard?t=${encodeURIComponent(token)}${kind === 'screen' ? '&mode=screen' : ''}`,
    expiresAt: new Date(Math.floor(expiresAt.getTime() / 1000) * 1000),
  };
}
