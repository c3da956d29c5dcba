/**
 * Builds `{ cursor: { firstBatch|nextBatch: [...], id, ns }, ok: 1 }` around documents that
 * are already BSON, without decoding and re-encoding them.
 */
function cstring(s: string): Buffer {
  return Buffer.from(s + '\0', 'utf8');
}

function documentOf(elements: Buffer[]): Buffer {
  const size = 4 + elements.reduce((n, e) => n + e.length, 0) + 1;
  const head = Buffer.allocUnsafe(4);
  head.writeInt32LE(size, 0);
  return Buffer.concat([head, ...elements, Buffer.from([0])], size);
}

function element(type: number, name: string, value: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type]), cstring(name), value]);
}

function arrayOf(docs: Uint8Array[]): Buffer {
  return documentOf(docs.map((d, i) => Buffer.concat([Buffer.from([0x03]), cstring(String(i)), d])));
}

export function cursorReply(ns: string, id: number, batch: 'firstBatch' | 'nextBatch', docs: Uint8Array[]): Buffer {
  const idBytes = Buffer.alloc(8);
  idBytes.writeBigInt64LE(BigInt(id), 0);
  const nsBytes = Buffer.from(ns, 'utf8');
  const nsValue = Buffer.alloc(4 + nsBytes.length + 1);
  nsValue.writeInt32LE(nsBytes.length + 1, 0);
  nsBytes.copy(nsValue, 4);
  const cursor = documentOf([element(0x04, batch, arrayOf(docs)), element(0x12, 'id', idBytes), element(0x02, 'ns', nsValue)]);
  const ok = Buffer.alloc(8);
  ok.writeDoubleLE(1, 0);
  return documentOf([element(0x03, 'cursor', cursor), element(0x01, 'ok', ok)]);
}
