import { SortedKeys } from '../../../src/db/standin/sorted-keys';

describe('SortedKeys', () => {
  it('matches a plain sorted list through many inserts, removals and range scans', () => {
    const keys = new SortedKeys();
    let model: [string, number][] = [];
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let step = 0; step < 20_000; step++) {
      if (model.length > 0 && rand(3) === 0) {
        const [k, r] = model[rand(model.length)]!;
        expect(keys.remove(k, r)).toBe(true);
        model = model.filter(([k2, r2]) => k2 !== k || r2 !== r);
      } else {
        const k = `k${rand(500).toString().padStart(3, '0')}`;
        const r = rand(1_000_000);
        if (model.some(([k2, r2]) => k2 === k && r2 === r)) continue;
        keys.insert(k, r);
        model.push([k, r]);
      }
    }
    model.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
    expect(keys.size).toBe(model.length);
    const all: [string, number][] = [];
    keys.forEach((k, r) => all.push([k, r]));
    expect(all).toEqual(model);

    const range: number[] = [];
    keys.scan('k100', true, 'k200', false, true, (r) => (range.push(r), true));
    expect(range).toEqual(model.filter(([k]) => k >= 'k100' && k < 'k200').map(([, r]) => r).reverse());
    expect(keys.ridsOf('k150')).toEqual(model.filter(([k]) => k === 'k150').map(([, r]) => r));
  });
});
