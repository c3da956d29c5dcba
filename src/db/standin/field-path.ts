/**
 * The values a dotted field path reaches in a document, the way MongoDB indexes them:
 * arrays along the path are traversed (`a.b` over `a: [{b: 1}, {b: 2}]` gives 1 and 2), an
 * array at the end contributes each element, and a missing field gives `null`.
 */
export function pathValues(doc: unknown, path: string): { values: unknown[]; multikey: boolean } {
  const out: unknown[] = [];
  const state = { multikey: false };
  collect(doc, path.split('.'), 0, out, state);
  if (out.length === 0) out.push(null);
  return { values: out, multikey: state.multikey };
}

function collect(value: unknown, parts: string[], i: number, out: unknown[], state: { multikey: boolean }): void {
  if (i === parts.length) {
    if (Array.isArray(value)) {
      state.multikey = true;
      if (value.length === 0) out.push(undefined);
      else out.push(...value);
    } else {
      out.push(value);
    }
    return;
  }
  if (value === null || typeof value !== 'object') {
    out.push(null);
    return;
  }
  const part = parts[i]!;
  if (Array.isArray(value)) {
    state.multikey = true;
    if (/^\d+$/.test(part) && Number(part) < value.length) {
      collect(value[Number(part)], parts, i + 1, out, state);
      return;
    }
    if (value.length === 0) out.push(null);
    for (const item of value) {
      if (item !== null && typeof item === 'object' && !Array.isArray(item)) collect(item, parts, i, out, state);
    }
    return;
  }
  const next = (value as Record<string, unknown>)[part];
  collect(next, parts, i + 1, out, state);
}

/** Whether the path is present at all (for sparse indexes). */
export function hasPath(doc: unknown, path: string): boolean {
  return present(doc, path.split('.'), 0);
}

function present(value: unknown, parts: string[], i: number): boolean {
  if (i === parts.length) return value !== undefined;
  if (Array.isArray(value)) return value.some((item) => present(item, parts, i));
  if (value === null || typeof value !== 'object') return false;
  const part = parts[i]!;
  if (!(part in (value as object))) return false;
  return present((value as Record<string, unknown>)[part], parts, i + 1);
}
