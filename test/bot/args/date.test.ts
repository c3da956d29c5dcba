import { arg, parseDate, withArgContext } from '../../../src/bot/args';

/** Wednesday 2020-09-16 10:00 Beijing time. */
const NOW = new Date('2020-09-16T02:00:00Z');
/** 00:00 Beijing time of a day, as an ISO instant. */
const day = (ymd: string) => new Date(`${ymd}T00:00:00+08:00`).toISOString();
const parse = (text: string, now = NOW) => parseDate(text, now).toISOString();

describe('date', () => {
  it.each([
    ['2020-09-20', '2020-09-20'],
    ['2020/9/20', '2020-09-20'],
    ['2020.9.20', '2020-09-20'],
    ['2020年9月20日', '2020-09-20'],
    ['9月20日', '2020-09-20'],
    ['9月20号', '2020-09-20'],
    ['９月２０日', '2020-09-20'],
    ['9.20', '2020-09-20'],
    ['9/20', '2020-09-20'],
    ['9-20', '2020-09-20'],
    ['今天', '2020-09-16'],
    ['明天', '2020-09-17'],
    ['后天', '2020-09-18'],
    ['昨天', '2020-09-15'],
    ['3天后', '2020-09-19'],
    ['周五', '2020-09-18'],
    ['星期五', '2020-09-18'],
    ['本周五', '2020-09-18'],
    ['周日', '2020-09-20'],
    ['下周五', '2020-09-25'],
    ['下星期一', '2020-09-21'],
    ['上周五', '2020-09-11'],
    ['月底', '2020-09-30'],
    ['下月底', '2020-10-31'],
    ['10月底', '2020-10-31'],
    ['年底', '2020-12-31'],
  ])('%s → %s (00:00 Beijing)', (text, ymd) => {
    expect(parse(text)).toBe(day(ymd));
  });

  it('counts days in Beijing time, not in UTC', () => {
    // 2020-09-16 17:30 UTC is already 09-17 01:30 in Beijing.
    expect(parse('今天', new Date('2020-09-16T17:30:00Z'))).toBe(day('2020-09-17'));
  });

  it('crosses the year end', () => {
    const newYearsEve = new Date('2020-12-31T04:00:00Z');
    expect(parse('明天', newYearsEve)).toBe(day('2021-01-01'));
    expect(parse('下月底', newYearsEve)).toBe(day('2021-01-31'));
  });

  it.each(['2月30日', '2020-02-30', '13月1日', '9.31'])('refuses %s: no such day', (text) => {
    expect(() => parseDate(text, NOW)).toThrow('这一天');
  });

  it.each(['abc', '下周', '周八', '', '20200920x'])('refuses %s as unreadable, with the forms it takes', (text) => {
    expect(() => parseDate(text, NOW)).toThrow(/看不懂日期.*9月20日.*下周五/);
  });

  it('as an argument type, is relative to the context clock', async () => {
    await expect(withArgContext({ now: NOW }, () => arg.date().parseAsync('明天'))).resolves.toEqual(new Date(day('2020-09-17')));
  });

  it.each(['明年', '今年', '9月', '下个月'])('asks which day %s is when nothing says it is a deadline', (text) => {
    expect(() => parseDate(text, NOW)).toThrow(`「${text}」没有说是哪一天`);
  });
});

/** Friday 2020-12-25 10:00 Beijing time. */
const DECEMBER = new Date('2020-12-25T02:00:00Z');
/** Monday 2021-01-04 10:00 Beijing time. */
const JANUARY = new Date('2021-01-04T02:00:00Z');
const at = (iso: string) => new Date(`${iso}T10:00:00+08:00`);
const future = (text: string, now = DECEMBER) => parseDate(text, now, 'future').toISOString();
const past = (text: string, now = JANUARY) => parseDate(text, now, 'past').toISOString();

/** Expected days as `text → YYYY-MM-DD` pairs, so that one test shows one rule on both sides. */
const expectDays = (read: (text: string) => string, pairs: [string, string][]) => {
  expect(pairs.map(([text]) => [text, read(text)])).toEqual(pairs.map(([text, ymd]) => [text, day(ymd)]));
};

describe('date, for a deadline (future)', () => {
  it('takes a day without a year as its next occurrence', () => {
    expectDays(future, [
      ['1月15日', '2021-01-15'],
      ['1.15', '2021-01-15'],
      ['1/15', '2021-01-15'],
      ['1-15', '2021-01-15'],
      ['１月１５号', '2021-01-15'],
      ['一月十五日', '2021-01-15'],
      ['9月20日', '2021-09-20'],
      ['12月17日', '2021-12-17'],
      ['12月31日', '2020-12-31'],
      ['12月25日', '2020-12-25'],
      ['1月底', '2021-01-31'],
    ]);
    expectDays((text) => future(text, JANUARY), [
      ['12月31日', '2021-12-31'],
      ['1月4日', '2021-01-04'],
      ['年底', '2021-12-31'],
    ]);
  });

  it('takes named years and months: 明年1月15日, 下个月15日, 今年年底 …', () => {
    expectDays(future, [
      ['明年1月15日', '2021-01-15'],
      ['明年一月十五日', '2021-01-15'],
      ['2021年1月15日', '2021-01-15'],
      ['下个月15日', '2021-01-15'],
      ['下月15号', '2021-01-15'],
      ['下月底', '2021-01-31'],
      ['下个月底', '2021-01-31'],
      ['本月底', '2020-12-31'],
      ['年底', '2020-12-31'],
      ['今年年底', '2020-12-31'],
      ['今年底', '2020-12-31'],
      ['明年年底', '2021-12-31'],
      ['明年底', '2021-12-31'],
      ['明年3月底', '2021-03-31'],
      ['2021年6月底', '2021-06-30'],
    ]);
  });

  it('takes a month alone as its last day', () => {
    expectDays(future, [
      ['下个月', '2021-01-31'],
      ['明年3月', '2021-03-31'],
      ['明年三月', '2021-03-31'],
      ['3月', '2021-03-31'],
      ['12月', '2020-12-31'],
    ]);
  });

  it('takes a day of the month or a weekday alone as the next one', () => {
    expectDays(future, [
      ['15号', '2021-01-15'],
      ['31日', '2020-12-31'],
      ['周五', '2020-12-25'],
      ['周一', '2020-12-28'],
      ['星期三', '2020-12-30'],
      ['本周日', '2020-12-27'],
      ['下周五', '2021-01-01'],
      ['两周后', '2021-01-08'],
      ['一个星期后', '2021-01-01'],
    ]);
  });

  it.each([
    ['2020-12-24', '12月24日已经过了（今天是12月25日），请写今天或以后的日期'],
    ['昨天', '12月24日已经过了'],
    ['本周一', '12月21日已经过了'],
    ['去年12月31日', '2019年12月31日已经过了'],
  ])('refuses %s, a day before today', (text, message) => {
    expect(() => future(text)).toThrow(message);
  });

  it('refuses a day without a year that passed less than a week ago, saying how to write next year’s', () => {
    expect(() => future('12月20日')).toThrow('12月20日已经过了（今天是12月25日），请写今天或以后的日期；如指明年，请写 明年12月20日');
    expect(() => future('12.18')).toThrow('如指明年，请写 明年12月18日');
    expect(() => future('20号')).toThrow('如指下个月，请写 下个月20日');
  });

  it('takes the README’s 截止=9月20日 in every month, as the next 20 September', () => {
    for (let month = 1; month <= 12; month++) {
      const now = at(`2020-${String(month).padStart(2, '0')}-10`);
      expect(future('9月20日', now)).toBe(day(month <= 9 ? '2020-09-20' : '2021-09-20'));
    }
  });

  it('knows leap days', () => {
    expect(future('2月29日', at('2023-12-20'))).toBe(day('2024-02-29'));
    expect(future('2月29日', at('2024-02-10'))).toBe(day('2024-02-29'));
    expect(future('2月29日', at('2023-03-10'))).toBe(day('2024-02-29'));
    expect(future('下个月29日', at('2024-01-31'))).toBe(day('2024-02-29'));
    expect(() => future('2月29日', at('2023-01-10'))).toThrow('2023年不是闰年，没有2月29日');
    expect(() => future('2月29日', at('2024-04-01'))).toThrow('2025年不是闰年，没有2月29日');
    expect(() => future('下个月29日', at('2025-01-31'))).toThrow('2025年不是闰年，没有2月29日');
    expect(() => future('明年2月29日', at('2024-01-10'))).toThrow('2025年不是闰年，没有2月29日');
  });

  it('refuses days that do not exist, whatever names the year or month', () => {
    for (const text of ['2月30日', '13月1日', '9.31', '明年2月30日', '下个月32日', '本月32号', '0月5日']) {
      expect(() => future(text)).toThrow(`没有「${text}」这一天，可以写 9月20日、2020-09-20、9.20、明年1月15日、下个月15日`);
    }
  });

  it('refuses the 31st of a month that has 30 days', () => {
    expect(() => future('31号', NOW)).toThrow('9月没有31日');
    expect(future('31号', at('2020-10-05'))).toBe(day('2020-10-31'));
  });

  it.each(['明年', '今年'])('asks which day %s is', (text) => {
    expect(() => future(text)).toThrow(`「${text}」没有说是哪一天，请写具体日期，如 ${text}1月15日、${text}3月底、${text}年底`);
  });
});

describe('date, for a record of what happened (past)', () => {
  it('takes a day without a year as its last occurrence', () => {
    expectDays(past, [
      ['12月31日', '2020-12-31'],
      ['12.28', '2020-12-28'],
      ['12/28', '2020-12-28'],
      ['十二月三十日', '2020-12-30'],
      ['1月4日', '2021-01-04'],
      ['1月1日', '2021-01-01'],
      ['30号', '2020-12-30'],
      ['2号', '2021-01-02'],
    ]);
    expectDays((text) => past(text, DECEMBER), [
      ['1月15日', '2020-01-15'],
      ['12月20日', '2020-12-20'],
    ]);
  });

  it('takes named years and months: 去年12月31日, 上个月31日, 上月底', () => {
    expectDays(past, [
      ['去年12月31日', '2020-12-31'],
      ['2020-12-31', '2020-12-31'],
      ['上个月31日', '2020-12-31'],
      ['上月底', '2020-12-31'],
      ['3天前', '2021-01-01'],
    ]);
  });

  it('takes a weekday alone as the last one', () => {
    expectDays(past, [
      ['周五', '2021-01-01'],
      ['周一', '2021-01-04'],
      ['上周五', '2021-01-01'],
    ]);
    expect(past('周日', DECEMBER)).toBe(day('2020-12-20'));
  });

  it('knows leap days', () => {
    expect(past('2月29日', at('2024-03-20'))).toBe(day('2024-02-29'));
    expect(past('2月29日', at('2025-01-10'))).toBe(day('2024-02-29'));
    expect(() => past('2月29日', at('2025-03-10'))).toThrow('2025年不是闰年，没有2月29日');
  });

  it.each([
    ['明天', '不能登记以后的日期（1月5日）'],
    ['1月8日', '不能登记以后的日期（1月8日）'],
    ['明年1月1日', '不能登记以后的日期（2022年1月1日）'],
    ['年底', '不能登记以后的日期（12月31日）'],
  ])('refuses %s, a day after today', (text, message) => {
    expect(() => past(text)).toThrow(message);
  });

  it.each(['12月', '上个月', '去年12月'])('asks which day %s is', (text) => {
    expect(() => past(text)).toThrow(`「${text}」没有说是哪一天`);
  });
});

describe('date argument declarations', () => {
  it('take the direction from the declaration', async () => {
    const parse = (schema: ReturnType<typeof arg.date>, text: string) => withArgContext({ now: DECEMBER }, () => schema.parseAsync(text));
    await expect(parse(arg.date('截止', { future: true }), '1月15日')).resolves.toEqual(new Date(day('2021-01-15')));
    await expect(parse(arg.date('日期', { past: true }), '1月15日')).resolves.toEqual(new Date(day('2020-01-15')));
    await expect(parse(arg.date('截止', { future: true }), '昨天')).rejects.toThrow('12月24日已经过了');
    await expect(parse(arg.date('日期', { past: true }), '明天')).rejects.toThrow('不能登记以后的日期（12月26日）');
  });
});
