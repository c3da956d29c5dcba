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

/**
 * Where WeCom serves the pictures users send the intelligent robot: a signed, short-lived
 * (5 minutes) COS link, as in the examples of 接收消息 (path/100719, 图片 / 图文混排):
 * `https://ww-aibot-img-1258476243.cos.ap-guangzhou.myqcloud.com/…?sign=…`. Exact hosts only,
 * never a wildcard over myqcloud.com (anyone can own a bucket there).
 */
export const WECOM_MEDIA_HOSTS: readonly string[] = ['ww-aibot-img-1258476243.cos.ap-guangzhou.myqcloud.com'];

/** WeCom's real API origin: only then are its media hosts trusted too. */
export const WECOM_API_ORIGIN = 'https://qyapi.weixin.qq.com';

/**
 * Whether a picture may be downloaded from `url`: on WECOM_API_BASE's origin (the simulator's
 * and the tests' sink serve pictures there), or — when WECOM_API_BASE is WeCom's own — over
 * https on one of WECOM_MEDIA_HOSTS, default port, without user info.
 */
export function isWeComMediaUrl(url: string, apiBase: string): boolean {
  if (isWeComApiUrl(url, apiBase)) return true;
  if (apiOrigin(apiBase) !== WECOM_API_ORIGIN) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.protocol === 'https:' && !parsed.username && !parsed.password && parsed.port === '' && WECOM_MEDIA_HOSTS.includes(parsed.hostname);
}
