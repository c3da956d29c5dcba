import { z } from 'zod';
import { arg, parsePercent, withArgContext } from '../../../src/bot/args';

describe('percent', () => {
  it.each([
    ['80%', 80],
    ['80', 80],
    ['８０％', 80],
    ['0', 0],
    ['100%', 100],
    ['完成', 100],
    ['已完成', 100],
    ['66.6%', 67],
  ])('%s → %d', (text, value) => {
    expect(parsePercent(text)).toBe(value);
  });

  it.each(['120%', '-5', '101'])('refuses %s as out of range', (text) => {
    expect(() => parsePercent(text)).toThrow('0% 到 100% 之间');
  });

  it.each(['abc', '80%%', '八十', ''])('refuses %s as not a percentage', (text) => {
    expect(() => parsePercent(text)).toThrow('不是进度');
  });

  it('reports a bad value as a zod issue with the Chinese message', async () => {
    const schema = z.object({ p: arg.percent() });
    const result = await withArgContext({ now: new Date() }, () => schema.safeParseAsync({ p: 'abc' }));
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.message).toContain('「abc」不是进度');
  });
});
