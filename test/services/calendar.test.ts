import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger } from '../../src/log';
import { createCalendar, HOLIDAYS_FILE } from '../../src/services/calendar';
import shipped from '../../src/services/calendar-cn.json';

/** An instant given in Beijing wall-clock time, independent of the machine's zone. */
const bj = (s: string): Date => new Date(`${s.replace(' ', 'T')}+08:00`);

const calendar = createCalendar();
const working = (day: string) => calendar.isWorkingDay(bj(`${day} 12:00`));
const NIGHT_AND_DAY_OFF_FREE = { from: 8, to: 21 };

function dataDirWith(holidays: unknown): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'lyt-calendar-'));
  writeFileSync(path.join(dir, HOLIDAYS_FILE), typeof holidays === 'string' ? holidays : JSON.stringify(holidays));
  return dir;
}

/** A pino logger whose warnings the test can read. */
function capturingLogger() {
  const lines: { level: number; msg: string; file?: string }[] = [];
  const log = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { log, warnings: () => lines.filter((l) => l.level === 40) };
}

describe('National Day 2020 (国办发明电〔2019〕16号)', () => {
  it('has 10-01…10-08 off and Sunday 09-27 and Saturday 10-10 as working days', () => {
    for (const day of ['2020-10-01', '2020-10-02', '2020-10-03', '2020-10-04', '2020-10-05', '2020-10-06', '2020-10-07', '2020-10-08']) {
      expect([day, working(day)]).toEqual([day, false]);
    }
    expect(working('2020-09-27')).toBe(true);
    expect(working('2020-09-30')).toBe(true);
    expect(working('2020-10-09')).toBe(true);
    expect(working('2020-10-10')).toBe(true);
    expect(working('2020-10-11')).toBe(false);
  });

  it('makes a request logged on 09-30 due at the end of the adjusted working Saturday 10-10', () => {
    const due = calendar.dueAfterWorkingDays(bj('2020-09-30 15:00'), 2);
    expect(due).toEqual(bj('2020-10-10 23:59:59.999'));
    expect(calendar.dayKey(due)).toBe('2020-10-10');
    // 00:30 Beijing is still 09-29 in UTC: the Beijing day decides.
    expect(calendar.dueAfterWorkingDays(bj('2020-09-30 00:30'), 2)).toEqual(bj('2020-10-10 23:59:59.999'));
  });

  it('counts a request logged on a holiday from the next working day', () => {
    // 10-03 counts as logged on Friday 10-09; then 10-10 (Sat, worked) and Monday 10-12.
    expect(calendar.dueAfterWorkingDays(bj('2020-10-03 10:00'), 2)).toEqual(bj('2020-10-12 23:59:59.999'));
    // Logged on the adjusted working Saturday itself: that day is day 0.
    expect(calendar.dueAfterWorkingDays(bj('2020-10-10 10:00'), 2)).toEqual(bj('2020-10-13 23:59:59.999'));
  });

  it('adds and counts working days across the holiday, both ways', () => {
    expect(calendar.addWorkingDays(bj('2020-09-30 15:00'), 1)).toEqual(bj('2020-10-09 15:00'));
    expect(calendar.addWorkingDays(bj('2020-09-30 15:00'), 2)).toEqual(bj('2020-10-10 15:00'));
    expect(calendar.addWorkingDays(bj('2020-10-10 15:00'), -2)).toEqual(bj('2020-09-30 15:00'));
    expect(calendar.addWorkingDays(bj('2020-09-30 15:00'), 0)).toEqual(bj('2020-09-30 15:00'));
    expect(calendar.workingDaysBetween(bj('2020-09-30 15:00'), bj('2020-10-10 09:00'))).toBe(2);
    expect(calendar.workingDaysBetween(bj('2020-10-10 09:00'), bj('2020-09-30 15:00'))).toBe(-2);
    expect(calendar.workingDaysBetween(bj('2020-10-01 09:00'), bj('2020-10-08 18:00'))).toBe(0);
  });

  it('holds a push that falls due at night or during the holiday until 08:00 of the next working day', () => {
    expect(calendar.nextWorkingMoment(bj('2020-09-30 21:30'), NIGHT_AND_DAY_OFF_FREE)).toEqual(bj('2020-10-09 08:00'));
    expect(calendar.nextWorkingMoment(bj('2020-10-05 09:00'), NIGHT_AND_DAY_OFF_FREE)).toEqual(bj('2020-10-09 08:00'));
    expect(calendar.nextWorkingMoment(bj('2020-09-27 22:00'), NIGHT_AND_DAY_OFF_FREE)).toEqual(bj('2020-09-28 08:00'));
    expect(calendar.nextWorkingMoment(bj('2020-10-10 09:00'), NIGHT_AND_DAY_OFF_FREE)).toEqual(bj('2020-10-10 09:00'));
  });
});

describe('Spring Festival 2020 with its extension (国办发明电〔2020〕1号)', () => {
  it('is off from 01-24 to 02-02; Sunday 01-19 stays a working day, Saturday 02-01 no longer is', () => {
    expect(working('2020-01-19')).toBe(true);
    expect(working('2020-01-23')).toBe(true);
    expect(working('2020-01-24')).toBe(false);
    expect(working('2020-01-31')).toBe(false);
    expect(working('2020-02-01')).toBe(false);
    expect(working('2020-02-02')).toBe(false);
    expect(working('2020-02-03')).toBe(true);
    expect(calendar.addWorkingDays(bj('2020-01-23 10:00'), 1)).toEqual(bj('2020-02-03 10:00'));
    expect(calendar.dueAfterWorkingDays(bj('2020-01-27 10:00'), 2)).toEqual(bj('2020-02-05 23:59:59.999'));
  });
});

describe('an ordinary week (2020-11-09…15)', () => {
  it('works Monday to Friday and rests at the weekend', () => {
    expect(['09', '10', '11', '12', '13', '14', '15'].map((d) => working(`2020-11-${d}`))).toEqual([true, true, true, true, true, false, false]);
    expect(calendar.workingDaysBetween(bj('2020-11-09 09:00'), bj('2020-11-16 09:00'))).toBe(5);
    expect(calendar.addWorkingDays(bj('2020-11-13 17:00'), 1)).toEqual(bj('2020-11-16 17:00'));
    expect(calendar.dueAfterWorkingDays(bj('2020-11-14 10:00'), 2)).toEqual(bj('2020-11-18 23:59:59.999'));
  });

  it('keeps pushes inside 08:00–21:00 (21:00 is already night)', () => {
    expect(calendar.nextWorkingMoment(bj('2020-11-10 07:30'), NIGHT_AND_DAY_OFF_FREE)).toEqual(bj('2020-11-10 08:00'));
    expect(calendar.nextWorkingMoment(bj('2020-11-10 20:59:59'), NIGHT_AND_DAY_OFF_FREE)).toEqual(bj('2020-11-10 20:59:59'));
    expect(calendar.nextWorkingMoment(bj('2020-11-10 21:00'), NIGHT_AND_DAY_OFF_FREE)).toEqual(bj('2020-11-11 08:00'));
    expect(calendar.nextWorkingMoment(bj('2020-11-13 23:00'), NIGHT_AND_DAY_OFF_FREE)).toEqual(bj('2020-11-16 08:00'));
  });
});

describe('year boundaries', () => {
  it('takes the Beijing day of an instant: 2020-12-31 20:00 UTC is New Year’s Day in Beijing', () => {
    const instant = new Date('2020-12-31T20:00:00Z');
    expect(calendar.dayKey(instant)).toBe('2021-01-01');
    expect(calendar.isWorkingDay(instant)).toBe(false);
  });

  it('crosses into the next year’s notice', () => {
    // 2021 元旦 01-01…01-03; 2024 元旦 01-01 only.
    expect(calendar.dueAfterWorkingDays(bj('2020-12-31 16:00'), 2)).toEqual(bj('2021-01-05 23:59:59.999'));
    expect(calendar.addWorkingDays(bj('2023-12-29 09:00'), 1)).toEqual(bj('2024-01-02 09:00'));
    expect(calendar.workingDaysBetween(bj('2023-12-29 09:00'), bj('2024-01-03 09:00'))).toBe(2);
    // 2023's notice starts 元旦 on 2022-12-31; the adjusted working days after 春节 2023 apply.
    expect(working('2023-01-02')).toBe(false);
    expect(working('2023-01-28')).toBe(true);
  });
});

describe('shipped data', () => {
  it('covers 2020 through 2026, each year citing its State Council notice', () => {
    expect(Object.keys(shipped.years)).toEqual(['2020', '2021', '2022', '2023', '2024', '2025', '2026']);
    for (const [year, entry] of Object.entries(shipped.years)) {
      expect(entry.sources[0]).toContain(`国务院办公厅关于${year}年部分节假日安排的通知（国办发明电〔`);
    }
  });

  it('only ever turns weekend days into adjusted working days', () => {
    const weekdays = Object.values(shipped.years)
      .flatMap((entry) => entry.workdays)
      .filter((day) => ![0, 6].includes(new Date(`${day}T00:00:00Z`).getUTCDay()));
    expect(weekdays).toEqual([]);
  });

  it('matches spot checks from later notices', () => {
    expect(working('2024-02-09')).toBe(true); // 除夕 2024: only "encouraged" off
    expect(working('2025-01-28')).toBe(false); // 除夕 2025: off from 2025 on
    expect(working('2025-04-27')).toBe(true);
    expect(working('2026-02-23')).toBe(false);
    expect(working('2026-02-28')).toBe(true);
    expect(working('2026-09-20')).toBe(true);
  });
});

describe('DATA_DIR/holidays.json', () => {
  it('replaces a shipped year whole and adds a new one', () => {
    const { log, warnings } = capturingLogger();
    const dataDir = dataDirWith({
      years: {
        '2020': {
          sources: ['a corrected notice'],
          holidays: [{ name: '国庆节', from: '2020-10-01', to: '2020-10-09' }],
          workdays: ['2020-09-27'],
        },
        '2027': {
          sources: ['国务院办公厅关于2027年部分节假日安排的通知'],
          holidays: [{ name: '元旦', from: '2027-01-01', to: '2027-01-03' }],
          workdays: ['2027-01-09'],
        },
      },
    });
    const overridden = createCalendar({ dataDir, log });
    const on = (day: string) => overridden.isWorkingDay(bj(`${day} 12:00`));
    expect(on('2020-10-09')).toBe(false);
    expect(on('2020-10-10')).toBe(false); // not an adjusted working day any more
    expect(on('2020-05-04')).toBe(true); // the shipped 劳动节 is gone with the replaced year
    expect(on('2021-10-01')).toBe(false); // other years untouched
    expect(on('2027-01-01')).toBe(false);
    expect(on('2027-01-09')).toBe(true);
    expect(warnings()).toEqual([]);
  });

  it('refuses a malformed file at start-up, naming it', () => {
    const badDate = dataDirWith({ years: { '2027': { sources: ['x'], holidays: [{ name: '元旦', from: '2027-02-30', to: '2027-03-01' }], workdays: [] } } });
    expect(() => createCalendar({ dataDir: badDate })).toThrow(/holidays\.json has the wrong format[\s\S]*not a real date/);
    const notJson = dataDirWith('{ "years": ');
    expect(() => createCalendar({ dataDir: notJson })).toThrow(/holidays\.json is not valid JSON/);
  });
});

describe('a year with no data', () => {
  it('falls back to Monday–Friday and warns once, naming the file to add', () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'lyt-calendar-'));
    const { log, warnings } = capturingLogger();
    const bare = createCalendar({ dataDir, log });
    const on = (day: string) => bare.isWorkingDay(bj(`${day} 12:00`));
    expect(on('2030-10-01')).toBe(true); // a Tuesday; National Day unknown without data
    expect(on('2030-10-05')).toBe(false); // Saturday
    expect(bare.addWorkingDays(bj('2030-10-04 09:00'), 1)).toEqual(bj('2030-10-07 09:00'));
    const warned = warnings();
    expect(warned).toHaveLength(1);
    expect(warned[0]!.msg).toContain('2030');
    expect(warned[0]!.msg).toContain(path.join(dataDir, HOLIDAYS_FILE));
  });
});

describe('the machine’s time zone', () => {
  // Jest fixes the zone for the whole process, so the same sums run in child processes.
  const script = `
    import { createCalendar } from './src/services/calendar';
    const c = createCalendar();
    const at = (s: string) => new Date(s);
    const window = { from: 8, to: 21 };
    console.log(JSON.stringify([
      c.dayKey(at('2020-09-30T00:30:00+08:00')),
      c.isWorkingDay(at('2020-12-31T20:00:00Z')),
      c.dueAfterWorkingDays(at('2020-09-30T00:30:00+08:00'), 2).toISOString(),
      c.addWorkingDays(at('2020-09-30T23:30:00+08:00'), 2).toISOString(),
      c.workingDaysBetween(at('2020-09-30T23:30:00+08:00'), at('2020-10-10T00:30:00+08:00')),
      c.nextWorkingMoment(at('2020-09-30T21:30:00+08:00'), window).toISOString(),
    ]));`;
  const runIn = (zone: string) =>
    JSON.parse(
      execFileSync(process.execPath, [require.resolve('tsx/cli'), '-e', script], {
        cwd: path.join(__dirname, '../..'),
        env: { ...process.env, TZ: zone },
        encoding: 'utf8',
      }),
    );

  it.each(['America/New_York', 'Pacific/Kiritimati', 'UTC'])('does not change the results under TZ=%s', (zone) => {
    expect(runIn(zone)).toEqual([
      '2020-09-30',
      false,
      '2020-10-10T15:59:59.999Z',
      '2020-10-10T15:30:00.000Z',
      2,
      '2020-10-09T00:00:00.000Z',
    ]);
  });
});
