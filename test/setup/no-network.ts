/**
 * Tests never leave this machine (STYLE.md habit 8): `fetch` to anything but a loopback
 * address fails as an unreachable network would, at once. The bot's configuration in tests
 * names WeCom's real origin (so the outbound rule is the production one); what a test wants
 * to receive, it serves on 127.0.0.1 and names as WECOM_API_BASE.
 */
const realFetch = globalThis.fetch;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

globalThis.fetch = async (input: string | URL | Request, init?: RequestInit) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (!LOOPBACK.has(url.hostname)) {
    throw new TypeError('fetch failed', { cause: Object.assign(new Error(`network blocked in tests: ${url.origin}`), { code: 'ENETUNREACH' }) });
  }
  return realFetch(input, init);
};
