/** How figures and dates read on the page. */

/** '86.4' (one decimal, as the ranking rounds), '—' for none. */
export function score(x: number | undefined): string {
  return x === undefined ? '—' : x.toFixed(1);
}

/** '↑3.2', '↓1.0', '→', or '' when there is nothing to compare with. */
export function change(now: number | undefined, before: number | undefined): string {
  if (now === undefined || before === undefined) return '';
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
