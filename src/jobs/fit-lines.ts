import { MAX_REPLY_BYTES, utf8Bytes } from '../text/markdown';

/**
 * Joins `head`, as many of `lines` as fit and `tail` into one markdown message of at most
 * `maxBytes` (WeCom's 4,096, less room for the mentions the outbox appends). Lines that do
 * not fit are replaced by `more(n)`, the note of how many were left out.
 */
export function fitLines(
  head: string[],
  lines: string[],
  tail: string[],
  more: (left: number) => string,
  maxBytes = MAX_REPLY_BYTES,
): string {
  const all = [...head, ...lines, ...tail].join('\n');
  if (utf8Bytes(all) <= maxBytes) return all;
  const fixed = utf8Bytes([...head, ...tail].join('\n')) + 1;
  let used = fixed + utf8Bytes(more(lines.length)) + 1;
  let kept = 0;
  while (kept < lines.length && used + utf8Bytes(lines[kept]!) + 1 <= maxBytes) {
    used += utf8Bytes(lines[kept]!) + 1;
    kept++;
  }
  return [...head, ...lines.slice(0, kept), more(lines.length - kept), ...tail].join('\n');
}
