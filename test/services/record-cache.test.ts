import type { Models } from '../../src/db/models';
import { RECORD_CACHE_MS, recordCache } from '../../src/services/record-cache';

/** How far the cache's clock (Date.now, held still while a test runs) has moved. */
let skew = 0;
beforeEach(() => {
  skew = 0;
  const start = Date.now();
  jest.spyOn(Date, 'now').mockImplementation(() => start + skew);
});
afterEach(() => jest.restoreAllMocks());

/** A cache over a counting loader, and the write generation it watches; `hold` makes the next load wait for `release`. */
function counted() {
  const writes = { generation: 0 };
  const loads: string[] = [];
  let held: Promise<void> | undefined;
  let release = () => {};
  const cache = recordCache(
    () => writes.generation,
    async (_models, key) => {
      loads.push(key);
      const n = loads.length;
      const wait = held;
      held = undefined;
      await wait;
      return `${key}@${n}`;
    },
  );
  const hold = () => {
    held = new Promise<void>((r) => (release = r));
  };
  return { cache, writes, loads, hold, release: () => release() };
}

const models = {} as Models;

describe('recordCache', () => {
  it('reads a key once within the window, and again after it or after a counted write', async () => {
    const { cache, writes, loads } = counted();
    expect(await cache(models, 'a')).toBe('a@1');
    skew = RECORD_CACHE_MS - 1;
    expect(await cache(models, 'a')).toBe('a@1');
    skew = RECORD_CACHE_MS;
    expect(await cache(models, 'a')).toBe('a@2');
    writes.generation++;
    expect(await cache(models, 'a')).toBe('a@3');
    expect(await cache(models, 'a')).toBe('a@3');
    expect(loads).toEqual(['a', 'a', 'a']);
  });

  it('keeps apart the records of different connections’ models', async () => {
    const { cache } = counted();
    expect(await cache(models, 'a')).toBe('a@1');
    expect(await cache({} as Models, 'a')).toBe('a@2');
    expect(await cache(models, 'a')).toBe('a@1');
  });

  it('does not keep a read that a write landed during', async () => {
    const { cache, writes, hold, release } = counted();
    hold();
    const reading = cache(models, 'a');
    writes.generation++;
    release();
    expect(await reading).toBe('a@1');
    expect(await cache(models, 'a')).toBe('a@2');
    expect(await cache(models, 'a')).toBe('a@2');
  });

  it('holds a bounded number of records', async () => {
    const { cache } = counted();
    for (let i = 0; i <= 10_000; i++) await cache(models, `k${i}`);
    expect(await cache(models, 'k10000')).toBe('k10000@10001');
    expect(await cache(models, 'k0')).toBe('k0@10002');
  });
});
