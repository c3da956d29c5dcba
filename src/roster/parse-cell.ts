/** Reading single roster cells; each returns the value or throws an Error with a Chinese message. */

/** `东方、东方小区` → ['东方', '东方小区'] (also , ，; ； and spaces). */
export function parseList(text: string): string[] {
  return text
    .split(/[、,，;；\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A whole number ≥ 0, with an optional unit (`120户`, `3支`). */
export function parseCount(text: string, what: string): number {
  const m = /^(\d{1,7})\s*[户人支个名]?$/.exec(text.normalize('NFKC').trim());
  if (!m) throw new Error(`${what}「${text}」应为整数`);
  return Number(m[1]);
}

const YES = new Set(['是', 'y', 'yes', '1', 'true', '√', '✓']);
const NO = new Set(['否', 'n', 'no', '0', 'false', '×', '✗']);

/** 是/否 (also Y/N, 1/0, true/false). */
export function parseYesNo(text: string, what: string): boolean {
  const t = text.normalize('NFKC').trim().toLowerCase();
  if (YES.has(t)) return true;
  if (NO.has(t)) return false;
  throw new Error(`${what}「${text}」应为 是 或 否`);
}

/** One of `values`, or a synonym of one. */
export function parseChoice<V extends string>(text: string, what: string, values: readonly V[], synonyms: Readonly<Record<string, V>> = {}): V {
  const t = text.normalize('NFKC').trim();
  const hit = values.find((v) => v === t) ?? synonyms[t] ?? synonyms[t.toLowerCase()];
  if (!hit) throw new Error(`${what}「${text}」应为 ${values.join('、')} 之一`);
  return hit;
}

/** An 11-digit mainland mobile number; spaces and dashes are dropped. */
export function parseMobile(text: string): string {
  const digits = text.normalize('NFKC').replace(/[\s-]/g, '');
  if (!/^1\d{10}$/.test(digits)) throw new Error(`手机号「${text}」应为 11 位手机号`);
  return digits;
}

/** A WeCom userid: letters, digits and _ . @ - (what the WeCom address book allows). */
export function parseUserId(text: string): string {
  const id = text.normalize('NFKC').trim();
  if (!/^[A-Za-z0-9_.@-]{1,64}$/.test(id)) throw new Error(`企业微信账号「${text}」只能含字母、数字和 _ . @ -`);
  return id;
}
