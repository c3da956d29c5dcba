import { tz } from '@date-fns/tz';
import { addDays, format, startOfDay } from 'date-fns';
import { addBeijingDays, beijingParts, formatDay, startOfBeijingDay } from '../../src/services/beijing-time';

const inBeijing = { in: tz('Asia/Shanghai') };

describe('Beijing calendar days', () => {
  it('starts the day and steps whole days as the Asia/Shanghai time zone does, before and after 1992', () => {
    const instants = [
      new Date('2026-06-17T16:00:00Z'), // 00:00 Beijing
      new Date('2026-06-17T15:59:59.999Z'), // 23:59:59.999 Beijing, the day before
      new Date('2024-02-29T20:30:00+08:00'),
      new Date('1991-12-31T16:00:00Z'),
      new Date('1988-07-01T12:00:00Z'), // daylight saving time in China then
      new Date('1969-12-31T20:00:00Z'),
    ];
    let x = Date.UTC(1985, 0, 1);
    while (x < Date.UTC(2040, 0, 1)) {
      instants.push(new Date(x));
      x += 86_400_000 * 7 + 3_600_000 * 5 + 60_000 * 17 + 1234; // a week and an odd part of a day
    }
    for (const d of instants) {
      expect(startOfBeijingDay(d)).toEqual(new Date(startOfDay(d, inBeijing).getTime()));
      for (const n of [1, -1, 7, -3, 30]) expect(addBeijingDays(d, n)).toEqual(new Date(addDays(d, n, inBeijing).getTime()));
      const [year, month, day, weekday] = format(d, 'yyyy M d i', inBeijing).split(' ').map(Number);
      expect(beijingParts(d)).toEqual({ year, month, day, weekday });
      expect(formatDay(d, d)).toBe(format(d, 'M月d日', inBeijing));
      expect(formatDay(d, new Date(Date.UTC(2041, 5, 1)))).toBe(format(d, 'yyyy年M月d日', inBeijing));
    }
    expect(startOfBeijingDay(new Date('2026-06-18T07:00:00Z'))).toEqual(new Date('2026-06-18T00:00:00+08:00'));
    expect(addBeijingDays(new Date('2026-06-15T00:00:00+08:00'), 3)).toEqual(new Date('2026-06-18T00:00:00+08:00'));
  });
});
