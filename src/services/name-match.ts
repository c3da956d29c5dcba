import { editDistanceWithin } from '../text/edit-distance';
import { nameKey } from '../text/normalize';

export type NameMatch<T> =
  | { kind: 'one'; item: T }
  /** Several match equally well: ask which one. */
  | { kind: 'many'; items: T[] }
  /** Nothing matches; `near` are the closest names, for "did you mean". */
  | { kind: 'none'; near: T[] };

/**
 * Longer than any name (the longest courtyard and project names run to about 30 characters):
 * such a query gets the exact, prefix and containment rounds, never a near spelling.
 */
export const MAX_FUZZY_CHARS = 40;

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
  const qLength = [...q].length;
  const keyed = items.map((item) => ({ item, keys: namesOf(item).map(nameKey).filter(Boolean) }));
  const fuzzy = qLength <= MAX_FUZZY_CHARS;
  const limit = fuzzLimit(qLength);
  const rounds: ((key: string) => boolean)[] = [
    (k) => k === q,
    (k) => k.startsWith(q),
    (k) => qLength >= 2 && k.includes(q),
    ...(fuzzy ? [(k: string) => editDistanceWithin(k, q, limit) <= limit] : []),
  ];
  for (const test of rounds) {
    const hits = keyed.filter((e) => e.keys.some(test)).map((e) => e.item);
    if (hits.length === 1) return { kind: 'one', item: hits[0]! };
    if (hits.length > 1) return { kind: 'many', items: hits };
  }
  if (!fuzzy) return { kind: 'none', near: [] };
  // Near names for "did you mean": at most half the query's characters wrong, and not all of them.
  const nearLimit = Math.min(Math.max(1, Math.ceil(qLength / 2)), qLength - 1);
  const near = keyed
    .map((e) => ({ item: e.item, d: Math.min(...e.keys.map((k) => editDistanceWithin(k, q, nearLimit))) }))
    .filter((e) => e.d <= nearLimit)
    .sort((a, b) => a.d - b.d)
    .slice(0, 3)
    .map((e) => e.item);
  return { kind: 'none', near };
}
