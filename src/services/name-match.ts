import { editDistance } from '../bot/edit-distance';
import { nameKey } from '../bot/normalize';

export type NameMatch<T> =
  | { kind: 'one'; item: T }
  /** Several match equally well: ask which one. */
  | { kind: 'many'; items: T[] }
  /** Nothing matches; `near` are the closest names, for "did you mean". */
  | { kind: 'none'; near: T[] };

/** Typing errors tolerated: one character in short names, more in long ones. */
function fuzzLimit(length: number): number {
  return length <= 4 ? 1 : length <= 8 ? 2 : 3;
}

/**
 * Finds what a typed name means among `items`, each with its names (name and aliases), in
 * rounds that stop at the first round with a match: the exact name; a unique prefix
 * (济源路 → 济源路街道); containing it (花园 → 东方花园, two characters at least); a near
 * spelling (东方花圆 → 东方花园). Comparison ignores width, ASCII case and spaces.
 */
export function matchName<T>(items: readonly T[], namesOf: (item: T) => readonly string[], query: string): NameMatch<T> {
  const q = nameKey(query);
  if (!q) return { kind: 'none', near: [] };
  const keyed = items.map((item) => ({ item, keys: namesOf(item).map(nameKey).filter(Boolean) }));
  const rounds: ((key: string) => boolean)[] = [
    (k) => k === q,
    (k) => k.startsWith(q),
    (k) => [...q].length >= 2 && k.includes(q),
    (k) => editDistance(k, q) <= fuzzLimit([...q].length),
  ];
  for (const test of rounds) {
    const hits = keyed.filter((e) => e.keys.some(test)).map((e) => e.item);
    if (hits.length === 1) return { kind: 'one', item: hits[0]! };
    if (hits.length > 1) return { kind: 'many', items: hits };
  }
  const near = keyed
    .map((e) => ({ item: e.item, d: Math.min(...e.keys.map((k) => editDistance(k, q))) }))
    .filter((e) => e.d <= Math.max(1, Math.ceil([...q].length / 2)) && e.d < [...q].length)
    .sort((a, b) => a.d - b.d)
    .slice(0, 3)
    .map((e) => e.item);
  return { kind: 'none', near };
}
