import { dashboardLink, LINK_VALID_MS, SCREEN_LINK_VALID_MS, signDashboardToken, verifyDashboardToken } from '../../src/dashboard/link';

const SECRET = 'a-test-secret-of-at-least-32-characters!';
const now = new Date('2020-09-25T02:00:00Z');
const street = { kind: 'street', streetId: '5f6a1b2c3d4e5f6a7b8c9d0e' } as const;
const issuer = { groupId: '5f6b00000000000000000001', generation: 2 };

/** The 64 base64url characters, in their order. */
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe('dashboard link tokens', () => {
  it('accepts a token for its scope and issuer until it expires', () => {
    const token = signDashboardToken(SECRET, street, issuer, new Date(now.getTime() + LINK_VALID_MS));
    expect(verifyDashboardToken(SECRET, token, now)).toEqual({ ok: true, scope: street, issuer, expiresAt: new Date(now.getTime() + LINK_VALID_MS) });
    expect(verifyDashboardToken(SECRET, token, new Date(now.getTime() + LINK_VALID_MS - 1000)).ok).toBe(true);
    expect(verifyDashboardToken(SECRET, token, new Date(now.getTime() + LINK_VALID_MS))).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses a token whose scope, expiry, group, generation or signature was changed, or signed with another secret', () => {
    const token = signDashboardToken(SECRET, street, issuer, new Date(now.getTime() + LINK_VALID_MS));
    const [kind, id, exp, group, gen, sig] = token.split('.') as [string, string, string, string, string, string];
    const changed = [
      ['district', '-', exp, group, gen, sig],
      [kind, id.replace(/^5/, '6'), exp, group, gen, sig],
      [kind, id, String(Number(exp) + 86_400), group, gen, sig],
      [kind, id, exp, group.replace(/1$/, '2'), gen, sig],
      [kind, id, exp, group, '3', sig],
      [kind, id, exp, group, gen, (sig.startsWith('A') ? 'B' : 'A') + sig.slice(1)],
    ];
    for (const parts of changed) expect(verifyDashboardToken(SECRET, parts.join('.'), now)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyDashboardToken('another-secret-of-at-least-32-characters', token, now)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyDashboardToken(SECRET, undefined, now)).toEqual({ ok: false, reason: 'missing' });
    expect(verifyDashboardToken(SECRET, 'street.abc', now)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('accepts the signature in its canonical encoding only: every other spelling of the same bytes is refused', () => {
    const token = signDashboardToken(SECRET, street, issuer, new Date(now.getTime() + LINK_VALID_MS));
    const head = token.slice(0, token.lastIndexOf('.') + 1);
    const sig = token.slice(head.length);
    // The last of 43 characters carries 4 bits of the digest and 2 padding bits: three other
    // characters decode to the same 32 bytes.
    const last = B64URL.indexOf(sig.at(-1)!);
    const sameBytes = [1, 2, 3].map((pad) => sig.slice(0, -1) + B64URL[last + pad]);
    for (const s of sameBytes) expect(Buffer.from(s, 'base64url')).toEqual(Buffer.from(sig, 'base64url'));
    const spellings = [...sameBytes, `${sig}=`, `${sig.slice(0, 10)}.${sig.slice(10)}`, `${sig.slice(0, 10)}+${sig.slice(10)}`, ` ${sig}`];
    for (const s of spellings) expect(verifyDashboardToken(SECRET, head + s, now)).toEqual({ ok: false, reason: expect.stringMatching(/bad-signature|malformed/) });
    expect(verifyDashboardToken(SECRET, head + sig, now).ok).toBe(true);
  });

  it('builds the links /看板 sends: the public URL and the token, 7 days for the page, 30 days for the 大屏', () => {
    const config = { publicUrl: 'https://lyt.example.cn', dashboardSecret: SECRET };
    const page = dashboardLink(config, { kind: 'district' }, issuer, now);
    expect(page.expiresAt).toEqual(new Date('2020-10-02T02:00:00Z'));
    expect(page.url.startsWith('https://lyt.example.cn/dashboard?t=district.-.')).toBe(true);
    expect(verifyDashboardToken(SECRET, new URL(page.url).searchParams.get('t')!, now)).toMatchObject({ ok: true, scope: { kind: 'district' }, issuer });

    const screen = dashboardLink(config, { kind: 'district' }, issuer, now, 'screen');
    expect(screen.expiresAt).toEqual(new Date(now.getTime() + SCREEN_LINK_VALID_MS));
    expect(new URL(screen.url).searchParams.get('mode')).toBe('screen');
    expect(verifyDashboardToken(SECRET, new URL(screen.url).searchParams.get('t')!, new Date(now.getTime() + 29 * 86_400_000)).ok).toBe(true);
  });
});
