import rank from '../../commands/rank';
import { createCalendar } from '../../src/services/calendar';
import { computeRanking, weekPeriod, type RankRow } from '../../src/services/ranking';
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

const plain = (md: string) => md.replace(/<\/?font[^>]*>/g, '').split('\n');
const arrow = (r: RankRow) => (r.previousRank === undefined ? '新' : r.previousRank > r.rank ? `↑${r.previousRank - r.rank}` : r.previousRank < r.rank ? `↓${r.rank - r.previousRank}` : '→');

describe('/排名', () => {
  it('ranks a street group’s courtyards this week by default, with the change against last week', async () => {
    const before = await recordCounts(bot);
    const rows = await computeRanking(bot.models, { level: 'courtyard', period: weekPeriod(bot.now()), streetId: String(f.streets.jiyuan._id), calendar, now: bot.now() });
    const lines = plain(await bot.send(f.users.stranger, f.groups.jiyuan, '/排名'));
    expect(lines.slice(0, 2)).toEqual(['**🏆 济源路街道 · 楼院排名**', '本周（2020年9月14日–9月20日，截至9月16日）· 与上周比']);
    expect(lines.slice(2, 4)).toEqual(rows.map((r) => `${r.rank}. ${r.name} 济源路街道 **${r.score.toFixed(1)}** ${arrow(r)}${r.overdue ? ` · 逾期${r.overdue}` : ''}`));
    // 东方花园 carries the two late items (#3 and request #1).
    expect(lines.find((l) => l.includes('东方花园'))).toContain('逾期2');
    expect(rows.map((r) => r.name).sort()).toEqual(['东方花园', '陇海安居']);
    expect(await recordCounts(bot)).toEqual(before);
  });

  it('takes a level and a period in either order', async () => {
    const lines = plain(await bot.send(f.users.stranger, f.groups.dongfang, '/rank 上周 街道'));
    expect(lines.slice(0, 2)).toEqual(['**🏆 全区 · 街道排名**', '上周（2020年9月7日–9月13日）· 与前一周比']);
    expect(lines.filter((l) => /^\d\. /.test(l)).map((l) => l.split(' ')[1]).sort()).toEqual(['中心路街道', '济源路街道']);
    const month = plain(await bot.send(f.users.stranger, f.groups.dongfang, '/排名 本月 楼院'));
    expect(month.slice(0, 2)).toEqual(['**🏆 济源路街道 · 楼院排名**', '本月（2020年9月，截至9月16日）· 与上月比']);
  });

  it('ranks a courtyard group’s cadres by default', async () => {
    const lines = plain(await bot.send(f.users.zhangsan, f.groups.dongfang, '/排名'));
    expect(lines[0]).toBe('**🏆 东方花园 · 干部排名**');
    expect(lines.filter((l) => /^\d\. /.test(l)).map((l) => l.split(' ')[1])).toEqual(expect.arrayContaining(['张三（区医保局）', '王五（区教育局）']));
  });

  it('shows the top and bottom five of a long list', async () => {
    for (let i = 1; i <= 13; i++) await bot.seed.courtyard(`新村${i}号院`, { street: f.streets.zhongxin });
    const lines = plain(await bot.send(f.users.admin, '', '/排名 楼院'));
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
    expect(bad).toContain('❌ 「全市」应为 街道、楼院、干部 或 本周、上周、本月、上月');
    expect(bad).toContain('用法：`/排名`  `/排名 楼院 上周`');
    expect(await bot.send(f.users.stranger, f.groups.jiyuan, '/排名 街道 楼院')).toContain('❌ 只能写一个范围：街道、楼院或干部');
    expect(await bot.send(f.users.stranger, f.groups.jiyuan, '/排名 本周 上周')).toContain('❌ 只能写一个时段');
    expect(await bot.send(f.users.stranger, f.groups.jiyuan, '/排名 街道 本周 多余')).toContain('❌ 多余的参数');
    expect(await recordCounts(bot)).toEqual(before);
  });
});
