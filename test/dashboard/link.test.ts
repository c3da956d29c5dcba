import { dashboardLink, LINK_VALID_MS, signDashboardToken, verifyDashboardToken } from '../../src/dashboard/link';

const SECRET = 'a-test-secret-of-at-least-32-characters!';
const now = new Date('2020-09-25T02:00:00Z');
const street = { kind: 'street', streetId: '5f6a1b2c3d4e5f6a7b8c9d0e' } as const;

describe('dashboard link tokens', () => {
  it('accepts a token for its scope until it expires', () => {
    const token = signDashboardToken(SECRET, street, new Date(now.getTime() + LINK_VALID_MS));
    expect(verifyDashboardToken(SECRET, token, now)).toEqual({ ok: true, scope: street, expiresAt: new Date(now.getTime() + LINK_VALID_MS) });
    expect(verifyDashboardToken(SECRET, token, new Date(now.getTime() + LINK_VALID_MS - 1000)).ok).toBe(true);
    expect(verifyDashboardToken(SECRET, token, new Date(now.getTime() + LINK_VALID_MS))).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses a token whose scope, expiry or signature was changed, or signed with another secret', () => {
    const token = signDashboardToken(SECRET, street, new Date(now.getTime() + LINK_VALID_MS));
    const [kind, id, exp, sig] = token.split('.') as [string, string, string, string];
    const district = ['district', '-', exp, sig].join('.');
    const otherStreet = [kind, id.replace(/^5/, '6'), exp, sig].join('.');
    const later = [kind, id, String(Number(exp) + 86_400), sig].join('.');
    const badSig = [kind, id, exp, (sig.startsWith('A') ? 'B' : 'A') + sig.slice(1)].join('.');
    for (const t of [district, otherStreet, later, badSig]) expect(verifyDashboardToken(SECRET, t, now)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyDashboardToken('another-secret-of-at-least-32-characters', token, now)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyDashboardToken(SECRET, undefined, now)).toEqual({ ok: false, reason: 'missing' });
    expect(verifyDashboardToken(SECRET, 'street.abc', now)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('builds the link /看板 sends: the public URL, the token, 7 days', () => {
    const { url, expiresAt } = dashboardLink({ publicUrl: 'https://lyt.example.cn', dashboardSecret: SECRET }, { kind: 'district' }, now);
    expect(expiresAt).toEqual(new Date('2020-10-02T02:00:00Z'));
    const token = decodeURIComponent(new URL(url).searchParams.get('t')!);
    expect(url.startsWith('https://lyt.example.cn/dashboard?t=district.-.')).toBe(true);
    expect(verifyDashboardToken(SECRET, token, now)).toMatchObject({ ok: true, scope: { kind: 'district' } });
  });
});
