/**
 * From 1 December, district admins are told when next year's official holidays are missing:
 * in their /查询, and once in each group bound to the whole district (the 节假日数据提醒 job,
 * one coordinated fire a year). The shipped calendar ends with 2026.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createCalendar, missingHolidayYears } from '../../src/services/calendar';
import { createTestBot, type BasicFixture, type TestBot } from '../helpers/bot';
import { bindGroup, bj, openBench, type Bench } from './harness';

const notices = (bench: Bench) => bench.seen().filter((p) => p.content.includes('节假日数据提醒'));

describe('the rule', () => {
  const calendar = createCalendar();
  it('asks for next year from 1 December, and for the current year whenever it is missing', () => {
    expect(missingHolidayYears(calendar, bj('2026-11-30 23:59'))).toEqual([]);
    expect(missingHolidayYears(calendar, bj('2026-12-01 00:00'))).toEqual([2027]);
    expect(missingHolidayYears(calendar, bj('2027-03-01 09:00'))).toEqual([2027]);
    expect(missingHolidayYears(calendar, bj('2025-12-15 09:00'))).toEqual([]);
  });
});

describe('the 节假日数据提醒 push', () => {
  let bench: Bench;
  afterEach(() => bench.close());

  it('goes once to each group of the whole district on 1 December, with the file to add', async () => {
    bench = await openBench(bj('2026-12-01 09:00'));
    const street = await bench.models.Street.create({ name: '济源路街道', district: '上街区' });
    await bindGroup(bench, 'district', { kind: 'district' });
    await bindGroup(bench, 'leaders', { kind: 'district' }, 'leadership');
    await bindGroup(bench, 'street', { kind: 'street', refId: String(street._id) });
    const [a, b] = await Promise.all([bench.instance(), bench.instance()]);
    // Two processes at the same minute: one fire.
    await Promise.all([a.scheduler.tick(bench.now()), b.scheduler.tick(bench.now())]);
    await bench.drain(a.outbox, b.outbox);
    const seen = notices(bench);
    expect(seen.map((p) => p.key).sort()).toEqual(['district', 'leaders']);
    expect(seen[0]!.content).toContain('还没有 2027 年的法定节假日和调休上班日');
    expect(seen[0]!.content).toContain('`$DATA_DIR/holidays.json`（格式同 `src/services/calendar-cn.json`');
    // The rest of December: no second notice.
    for (const t of ['2026-12-01 09:00', '2026-12-02 09:00', '2026-12-15 09:00']) {
      bench.at(t);
      await a.scheduler.tick(bench.now());
    }
    await bench.drain(a.outbox);
    expect(notices(bench)).toHaveLength(2);
  });

  it('says nothing once next year is in $DATA_DIR/holidays.json', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'lyt-holidays-'));
    writeFileSync(
      path.join(dataDir, 'holidays.json'),
      JSON.stringify({ years: { 2027: { sources: ['国务院办公厅关于2027年部分节假日安排的通知'], holidays: [{ name: '元旦', from: '2027-01-01', to: '2027-01-03' }], workdays: [] } } }),
    );
    bench = await openBench(bj('2026-12-01 09:00'));
    await bindGroup(bench, 'district', { kind: 'district' });
    const app = await bench.instance({ calendar: createCalendar({ dataDir }) });
    await app.scheduler.tick(bench.now());
    await bench.drain(app.outbox);
    expect(notices(bench)).toEqual([]);
  });
});

describe('/查询 of a district admin', () => {
  let bot: TestBot;
  let f: BasicFixture;
  beforeAll(async () => {
    bot = await createTestBot({ now: bj('2026-12-01 10:00') });
    f = await bot.seed.basic();
  });
  afterAll(() => bot.close());

  it('names the missing year and the file from 1 December; others are not told', async () => {
    bot.setNow(bj('2026-11-30 10:00'));
    expect(await bot.send(f.users.admin, '', '/查询')).not.toContain('节假日数据待补充');
    bot.setNow(bj('2026-12-01 10:00'));
    const card = await bot.send(f.users.admin, '', '/查询');
    expect(card).toContain('**节假日数据待补充：**');
    expect(card).toContain('还没有 2027 年的法定节假日和调休上班日');
    expect(card).toContain('《国务院办公厅关于2027年部分节假日安排的通知》');
    expect(card).toContain('$DATA_DIR/holidays.json');
    for (const user of [f.users.leader, f.users.jyAdmin, f.users.zhangsan]) expect(await bot.send(user, '', '/查询')).not.toContain('节假日');
  });
});
