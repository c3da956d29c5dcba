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
});
