/** How figures and dates read on the page. */

/** '86.4' (one decimal, as the ranking rounds), '无数据' when nothing was measured, '—' when there is no figure. */
export function score(x: number | null | undefined): string {
  if (x === null) return '无数据';
  return x === undefined ? '—' : x.toFixed(1);
}

/** One part of a row: '72.5', '—（本期无）' when nothing was measured, '0.0（无项目）'. */
export function part(row: { parts: Record<string, number | null>; unmeasured: string[]; noProjects?: boolean }, key: string): string {
  const v = row.parts[key];
  if (v === null || v === undefined || row.unmeasured.includes(key)) return '—（本期无）';
  return key === 'progress' && row.noProjects ? `${v.toFixed(1)}（无项目）` : v.toFixed(1);
}

/** '↑3.2', '↓1.0', '→', or '' when there is nothing to compare with. */
export function change(now: number | null | undefined, before: number | null | undefined): string {
  if (now === undefined || before === undefined || now === null || before === null) return '';
  const d = Math.round((now - before) * 10) / 10;
  if (d > 0) return `↑${d.toFixed(1)}`;
  if (d < 0) return `↓${(-d).toFixed(1)}`;
  return '→';
}

/** '2020-09-25' → '9月25日'. */
export function day(key: string | undefined): string {
  if (!key) return '';
  const [, m, d] = key.split('-').map(Number);
  return `${m}月${d}日`;
}

/** An ISO instant as Beijing wall-clock time: '9月25日 10:00'. */
export function beijingTime(iso: string): string {
  const parts = new Intl.DateTimeFormat('zh-CN', {
    timeZone: 'Asia/Shanghai',
    month: 'numeric',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).formatToParts(new Date(iso));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('month')}月${get('day')}日 ${get('hour')}:${get('minute')}`;
}
