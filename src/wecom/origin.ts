/**
 * The one place the bot sends requests to: WeCom's API origin (https://qyapi.weixin.qq.com,
 * or WECOM_API_BASE — the simulator's and the tests' local sink). Webhook URLs typed into
 * `/绑定`, a group robot callback's WebhookUrl and an intelligent robot's response_url are
 * all checked against it where they enter; the client checks every request again before it
 * leaves.
 */

/** The origin (scheme, host, port) of WECOM_API_BASE. */
export function apiOrigin(apiBase: string): string {
  return new URL(apiBase).origin;
}

/**
 * Whether `url` is an absolute http(s) URL on the origin of `apiBase`, without user info
 * (`https://qyapi.weixin.qq.com@evil.example/` is evil.example's, and is refused).
 */
export function isWeComApiUrl(url: string, apiBase: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return false;
  if (parsed.username || parsed.password) return false;
  return parsed.origin === apiOrigin(apiBase);
}

/** The origin of `url` for a log line (never the path or query: they hold keys), or a note that it is not a URL. */
export function originForLog(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'an invalid URL';
  }
}
