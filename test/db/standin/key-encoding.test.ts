import { Binary, MaxKey, MinKey, ObjectId, Timestamp } from 'bson';
import { encodeValue } from '../../../src/db/standin/key-encoding';

describe('encodeValue', () => {
  it('orders values of different types as MongoDB does', () => {
    const inOrder = [
      new MinKey(),
      null,
      -Infinity,
      -2.5,
      -1,
      0,
      1e-9,
      1,
      2,
      1e20,
      Infinity,
      '',
      'a',
      'a\0b',
      'ab',
      'b',
      '光明巷',
      { a: 1 },
      { a: 2 },
      { b: 0 },
      [1, 2],
      [2],
      new Binary(Buffer.from('z')),
      new Binary(Buffer.from('aa')),
      new ObjectId('000000000000000000000001'),
      new ObjectId('ffffffffffffffffffffffff'),
      false,
      true,
      new Date(-1000),
      new Date(0),
      new Date(1000),
      new Timestamp({ t: 1, i: 5 }),
      new Timestamp({ t: 2, i: 0 }),
      /a/,
      new MaxKey(),
    ];
    const keys = inOrder.map(encodeValue);
    const sorted = [...keys].sort();
    expect(sorted).toEqual(keys);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('treats numbers of any BSON type by value, -0 as 0', () => {
    expect(encodeValue(-0)).toBe(encodeValue(0));
    expect(encodeValue(3)).toBe(encodeValue(3.0));
  });

  it('orders random doubles numerically', () => {
    const nums = Array.from({ length: 500 }, () => (Math.random() - 0.5) * 10 ** Math.floor(Math.random() * 20));
    const byKey = [...nums].sort((a, b) => (encodeValue(a) < encodeValue(b) ? -1 : 1));
    expect(byKey).toEqual([...nums].sort((a, b) => a - b));
  });
});
