/** Levenshtein distance over Unicode code points (a Chinese character counts as one). */
export function editDistance(a: string, b: string): number {
  return editDistanceWithin(a, b, Infinity);
}

/**
 * The edit distance of `a` and `b` if it is at most `max`, else `max + 1`; in time
 * O(max × length) whatever the strings hold: only the band of the table within `max` of
 * its diagonal is filled, and it stops as soon as a whole row is over `max`. The lengths
 * alone (they differ by more than `max`) and the characters the two do not share (each
 * needs an edit) rule most pairs out before any table.
 */
export function editDistanceWithin(a: string, b: string, max: number): number {
  const over = max + 1;
  // A string has between half its UTF-16 length and that length in code points: decided before spreading either.
  if (Math.ceil(a.length / 2) - b.length > max || Math.ceil(b.length / 2) - a.length > max) return over;
  const s = [...a];
  const t = [...b];
  if (Math.abs(s.length - t.length) > max) return over;
  if (Number.isFinite(max) && Math.max(s.length, t.length) - sharedCount(s, t) > max) return over;
  const m = s.length;
  const n = t.length;
  const band = Math.min(Math.max(m, n), max);
  // Two rows, reused; each row writes the cells its successor reads (its band, and one on either side).
  let prev = Array.from({ length: n + 1 }, (_, j) => (j <= band ? j : over));
  let row = new Array<number>(n + 1).fill(over);
  for (let i = 1; i <= m; i++) {
    const from = Math.max(1, i - band);
    const to = Math.min(n, i + band);
    row[0] = i <= band ? i : over;
    if (from > 1) row[from - 1] = over;
    let best = from === 1 ? row[0] : over;
    for (let j = from; j <= to; j++) {
      const cell = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (s[i - 1] === t[j - 1] ? 0 : 1), over);
      row[j] = cell;
      if (cell < best) best = cell;
    }
    if (to < n) row[to + 1] = over;
    if (best > max) return over;
    [prev, row] = [row, prev];
  }
  return Math.min(prev[n]!, over);
}

/** How many characters the two have in common, counted with multiplicity. */
function sharedCount(s: string[], t: string[]): number {
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let shared = 0;
  for (const c of t) {
    const n = counts.get(c) ?? 0;
    if (n > 0) {
      shared++;
      counts.set(c, n - 1);
    }
  }
  return shared;
}
