import rank from '../../commands/rank';
import { createCalendar } from '../../src/services/calendar';
import { computeRanking, weekPeriod } from '../../src/services/ranking';
import { publishPeriod } from '../../src/services/snapshots';
import { createTestBot, type BasicFixture, type TestBot } from '../helpers/bot';
import { recordCounts, seedQueries } from './query-seed';

let bot: TestBot;
let f: BasicFixture;
const calendar = createCalendar();

beforeAll(async () => {
  bot = await createTestBot({ commands: [rank] });
  f = await bot.seed.basic();
  await seedQueries(bot, f);
});
afterAll(() => bot?.close());

const cleanups: Array<() => Promise<unknown>> = [];
const onCleanup = (f: () => Promise<unknown>) => cleanups.push(f);
afterEach(async () => {
  for (const f of cleanups.splice(0)) await f();
});

const plain = (md: string) => md.replace(/<\/?font[^>]*>/g, '').split('\n');

describe('/排名', () => {
  it('ranks a street group’s courtyards this week by default while nothing is published, without arrows', async () => {
    const before = await recordCounts(bot);
    const rows = await computeRanking(bot.models, { level: 'courtyard', period: weekPeriod(bot.now()), streetId: String(f.streets.jiyuan._id), calendar, now: bot.now() });
    const lines = plain(await bot.send(f.users.stranger, f.groups.jiyuan, '/排名'));
    expect(lines.slice(0, 2)).toEqual(['**🏆 济源路街道 · 楼院排名**', '本周进行中（9月14日–20日，截至9月16日）· 尚未发布，不与已发布的排名比较']);
    expect(lines.slice(2, 4)).toEqual(rows.map((r) => `${r.rank}. ${r.name} 济源路街道 **${r.score!.toFixed(1)}**${r.overdue ? ` · 逾期${r.overdue}` : ''}`));
    // 东方花园 carries the two late items (#3 and request #1); the idle 陇海安居 ranks below it.
    expect(lines.find((l) => l.includes('东方花园'))).toContain('逾期2');
    expect(rows.map((r) => r.name)).toEqual(['东方花园', '陇海安居']);
    expect(await recordCounts(bot)).toEqual(before);
  });

  it('shows a finished period only once published, then exactly as published', async () => {
    expect(await bot.send(f.users.stranger, f.groups.dongfang, '/rank 上周 街道')).toContain('上周的排名尚未发布（每周一 9:00 随推送发布，发布后不再改变）');
    const lastWeek = weekPeriod(bot.now(), -1);
    const { snapshot } = await publishPeriod(bot.models, { period: lastWeek, now: bot.now(), by: 'test' });
    onCleanup(() => bot.models.RankingSnapshot.deleteMany({}));
    const lines = plain(await bot.send(f.users.stranger, f.groups.dongfang, '/rank 上周 街道'));
    // A deployment's first publication: no arrows, not even 新.
    expect(lines.slice(0, 2)).toEqual(['**🏆 全区 · 街道排名**', '每周排名 9月7日–13日（已发布）· 首次发布，无升降']);
    const published = snapshot.rows.filter((r) => r.level === 'street');
    expect(lines.filter((l) => /^\d\. /.test(l))).toEqual(published.map((r) => `${r.rank}. ${r.name} **${r.score!.toFixed(1)}**${r.overdue.total ? ` · 逾期${r.overdue.total}` : ''}`));
    // With no word the last published week is shown.
    expect(plain(await bot.send(f.users.stranger, f.groups.dongfang, '/排名 街道'))[1]).toBe('每周排名 9月7日–13日（已发布）· 首次发布，无升降');
    const month = plain(await bot.send(f.users.stranger, f.groups.dongfang, '/排名 本月 楼院'));
    expect(month.slice(0, 2)).toEqual(['**🏆 济源路街道 · 楼院排名**', '本月进行中（9月，截至9月16日）· 尚未发布，不与已发布的排名比较']);
    expect(await bot.send(f.users.stranger, f.groups.dongfang, '/排名 上周 第2版')).toContain('❌ 上周的排名没有第2版');
  });

  it('ranks a courtyard group’s cadres by default', async () => {
    const lines = plain(await bot.send(f.users.zhangsan, f.groups.dongfang, '/排名 本周'));
    expect(lines[0]).toBe('**🏆 东方花园 · 干部排名**');
    expect(lines.filter((l) => /^\d\. /.test(l)).map((l) => l.split(' ')[1])).toEqual(expect.arrayContaining(['张三（区医保局）', '王五（区教育局）']));
  });

  it('shows the top and bottom five of a long list', async () => {
    for (let i = 1; i <= 13; i++) await bot.seed.courtyard(`新村${i}号院`, { street: f.streets.zhongxin });
    const lines = plain(await bot.send(f.users.admin, '', '/排名 楼院 本周'));
    expect(lines[0]).toBe('**🏆 全区 · 楼院排名**');
    expect(lines).toContain('**前 5 名**');
    expect(lines).toContain('**后 5 名**');
    expect(lines).toContain('共 16 个');
    expect(lines.filter((l) => /^\d+\. /.test(l))).toHaveLength(10);
    await bot.models.Courtyard.deleteMany({ name: /^新村/ });
  });

  it('says what is wrong with the words', async () => {
    const before = await recordCounts(bot);
    const bad = await bot.send(f.users.stranger, f.groups.jiyuan, '/排名 全市');
    expect(bad).toContain('❌ 「全市」应为 街道、楼院、干部，本周、上周、本月、上月，或 第2版 这样的版本');
    expect(bad).toContain('用法：`/排名`  `/排名 楼院 上周`');
    expect(await bot.send(f.users.stranger, f.groups.jiyuan, '/排名 街道 楼院')).toContain('❌ 只能写一个范围：街道、楼院或干部');
    expect(await bot.send(f.users.stranger, f.groups.jiyuan, '/排名 本周 上周')).toContain('❌ 只能写一个时段');
    expect(await bot.send(f.users.stranger, f.groups.jiyuan, '/排名 本周 第1版')).toContain('❌ 进行中的本周、本月没有版本');
    expect(await bot.send(f.users.stranger, f.groups.jiyuan, '/排名 街道 本周 第1版 多余')).toContain('❌ 多余的参数');
    expect(await recordCounts(bot)).toEqual(before);
  });
});
