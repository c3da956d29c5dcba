/** Renders a key like mongod does in E11000 messages: `{ email: "a@b.c", n: 1 }`. */
export function describeKey(key: Record<string, unknown>): string {
  const parts = Object.entries(key).map(([k, v]) => `${k}: ${describeValue(v)}`);
  return parts.length ? `{ ${parts.join(', ')} }` : '{}';
}

function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return `new Date(${v.getTime()})`;
  if (Array.isArray(v)) return `[ ${v.map(describeValue).join(', ')} ]`;
  const type = (v as { _bsontype?: string })._bsontype;
  if (type === 'ObjectId') return `ObjectId('${String(v)}')`;
  if (type) return String(v);
  return describeKey(v as Record<string, unknown>);
}
