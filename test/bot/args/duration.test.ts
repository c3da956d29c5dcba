import { parseDuration } from '../../../src/bot/args';

describe('duration', () => {
  it.each([
    ['半天', 4],
    ['全天', 8],
    ['一天', 8],
    ['上午', 4],
    ['3小时', 3],
    ['3个小时', 3],
    ['三小时', 3],
    ['两个小时', 2],
    ['1个半小时', 1.5],
    ['1.5小时', 1.5],
    ['2h', 2],
    ['２Ｈ', 2],
    ['90分钟', 1.5],
    ['半小时', 0.5],
    ['3', 3],
  ])('%s → %d hours', (text, hours) => {
    expect(parseDuration(text)).toBe(hours);
  });

  it.each(['25小时', '0', '0h'])('refuses %s (not between 0 and 24 hours)', (text) => {
    expect(() => parseDuration(text)).toThrow('0 到 24 小时之间');
  });

  it.each(['很久', 'abc', '小时', ''])('refuses %s as unreadable', (text) => {
    expect(() => parseDuration(text)).toThrow('看不懂时长');
  });
});
