import { seedTwoWeeks, type Seeded } from '../services/ranking-seed';
import { bindGroup, bj, calendar, openBench, type Bench, type Instance, type SeenPush } from './harness';

/**
 * Three simulated weeks, Monday 2020-09-21 00:00 to Sunday 10-11 24:00, on the seeded
 * 济源路街道 (test/services/ranking-seed.ts: its records are in the database from the start).
 * Every half hour the clock moves, the scheduler ticks and the outbox sends what is due.
 * The weeks hold an adjusted working Sunday (09-27), National Day (10-01…10-08, so Thursday
 * 10-01, Monday 10-05 and Thursday 10-08 fall on holidays) and an adjusted working Saturday
 * (10-10).
 */

let bench: Bench;
let app: Instance;
let seed: Seeded;
let seen: SeenPush[];

const day = (p: SeenPush) => calendar.dayKey(p.at);
const hm = (p: SeenPush) => new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit' }).format(p.at);
const byKey = (key: string) => seen.filter((p) => p.key === key);
const days = (list: SeenPush[]) => [...new Set(list.map(day))];

beforeAll(async () => {
  bench = await openBench(bj('2020-09-21 00:00'));
  seed = await seedTwoWeeks(bench.models, calendar);
  for (const [name, userId] of [['张伟', 'zhangwei'], ['李娜', 'lina'], ['王强', 'wangqiang'], ['赵敏', 'zhaomin']]) {
    await bench.models.Cadre.updateOne({ name }, { $set: { userId, userIdSource: 'roster' } });
  }
  await bindGroup(bench, 'lead', { kind: 'district' }, 'leadership');
  await bindGroup(bench, 'jiyuan', { kind: 'street', refId: seed.jiyuan });
  await bindGroup(bench, 'dongfang', { kind: 'courtyard', refId: seed.dongfang });
  await bindGroup(bench, 'xingfu', { kind: 'courtyard', refId: seed.xingfu });
  // September's inspection scores: 济源路 by two scorers (90, 86 → 88), 新安路 by one (80).
  const scores = [
    [seed.jiyuan, 90, 'leader1'],
    [seed.jiyuan, 86, 'leader2'],
    [seed.xinan, 80, 'leader1'],
  ] as const;
  for (const [street, score, by] of scores) await bench.models.InspectionScore.create({ street, month: '2020-09', score, by, createdAt: bj('2020-09-30 15:00') });

  app = await bench.instance();
  for (let t = bj('2020-09-21 00:00').getTime(); t < bj('2020-10-12 00:00').getTime(); t += 30 * 60_000) {
    bench.at(new Date(t));
    await app.scheduler.tick(new Date(t));
    await bench.drain(app.outbox);
  }
  seen = bench.seen();
}, 300_000);
afterAll(() => bench.close());

describe('three simulated weeks of scheduled pushes', () => {
  it('sends nothing at night, on weekends or on holidays, and nothing twice', async () => {
    for (const p of seen) {
      expect(calendar.isWorkingDay(p.at)).toBe(true);
      expect(hm(p) >= '08:00' && hm(p) < '21:00').toBe(true);
    }
    expect(seen.filter((p) => day(p) >= '2020-10-01' && day(p) <= '2020-10-08')).toEqual([]);
    expect(seen.some((p) => day(p) === '2020-09-26' || day(p) === '2020-10-11')).toBe(false);
    // Each message once: no group got the same content twice on a day.
    const sent = seen.map((p) => `${p.key}|${day(p)}|${p.msgtype}|${p.content}|${p.file?.filename ?? ''}|${p.png?.length ?? ''}`);
    expect(new Set(sent).size).toBe(sent.length);
    // Weekly 4 × 3 + overdue 3 × 11 working days + 1 visit reminder + monthly 2 + 事务公开 2 (both courtyards recorded nothing for September).
    expect(seen).toHaveLength(50);
    expect(seen.filter((p) => p.content.includes('事务公开提醒')).map((p) => `${p.key} ${day(p)} ${hm(p)}`).sort()).toEqual(['dongfang 2020-10-09 08:00', 'xingfu 2020-10-09 08:00']);
    expect(await bench.pending()).toEqual([]);
  });

  it('alerts each courtyard group on working days at 09:00, mentioning who is responsible', () => {
    const workingDays = ['2020-09-21', '2020-09-22', '2020-09-23', '2020-09-24', '2020-09-25', '2020-09-27', '2020-09-28', '2020-09-29', '2020-09-30', '2020-10-09', '2020-10-10'];
    const dongfang = byKey('dongfang').filter((p) => p.content.includes('逾期提醒'));
    expect(days(dongfang)).toEqual(workingDays);
    expect(dongfang.every((p) => hm(p) === '09:00')).toBe(true);
    // #2 楼道照明 (deadline 09-18, owner 张伟) every day; request #4 (logged Fri 09-25, due Mon 09-28
    // because Sunday 09-27 was a working day) from Tuesday 09-29 on, no one assigned: the
    // courtyard's cadre 张伟 answers for it.
    const first = dongfang[0]!;
    expect(first.content).toContain('1. 项目逾期 #2 楼道照明 · 逾期3天 · 张伟');
    expect(first.content).not.toContain('#4');
    expect(first.mentions).toEqual(['zhangwei']);
    const tuesday = dongfang.find((p) => day(p) === '2020-09-29')!;
    expect(tuesday.content).toContain('1. 项目逾期 #2 楼道照明 · 逾期11天 · 张伟');
    expect(tuesday.content).toContain('2. 诉求未反馈 #4 诉求4 · 逾期1天 · 张伟');
    expect(dongfang.find((p) => day(p) === '2020-10-10')!.content).toContain('#2 楼道照明 · 逾期22天');

    const xingfu = byKey('xingfu').filter((p) => p.content.includes('逾期提醒'));
    expect(days(xingfu)).toEqual(workingDays);
    expect(xingfu[0]!.content).toContain('诉求未反馈 #5 诉求5 · 逾期3天 · 李娜');
    // #4 疏通下水道 (王强, deadline 09-22) was late from 09-23 until it was finished on 09-25 at 11:00.
    const withWang = xingfu.filter((p) => p.mentions.includes('wangqiang')).map(day);
    expect(withWang).toEqual(['2020-09-23', '2020-09-24', '2020-09-25']);
    expect(xingfu.every((p) => p.mentions.includes('lina'))).toBe(true);

    const digest = byKey('jiyuan').filter((p) => p.content.includes('逾期汇总'));
    expect(days(digest)).toEqual(workingDays);
    expect(digest[0]!.content).toContain('今日提醒 **2** 项，涉及 2 个楼院');
    expect(digest.find((p) => day(p) === '2020-09-29')!.content).toContain('今日提醒 **3** 项');
  });

  it('publishes and ranks the streets, courtyards and cadres every Monday, with arrows against the week published before', async () => {
    const lead = byKey('lead');
    const rankings = lead.filter((p) => p.content.startsWith('## 每周排名'));
    // Monday 10-05 is a holiday: that ranking waits for Friday 10-09 08:00.
    expect(rankings.map((p) => `${day(p)} ${hm(p)}`)).toEqual(['2020-09-21 09:00', '2020-09-28 09:00', '2020-10-09 08:00']);
    // The first publication (09-14…20) has no arrows at all.
    expect(rankings[0]!.content).toContain('首次发布，没有可比较的上期排名');
    expect(rankings[0]!.content).not.toMatch(/[↑↓]|\*\* 新|\*\* —/);
    // The week 09-21…27 against the published 09-14…20, as worked out in test/services/ranking.test.ts:
    // 济源路 64.9 (1st both weeks), 新安路 43.3 (2nd both weeks); 东方花园 has 1 overdue item.
    const sept28 = rankings[1]!.content;
    expect(sept28).toContain('## 每周排名 9月21日–27日');
    expect(sept28).toContain('分数后为与上一周 9月14日–20日相比的名次变化');
    expect(sept28).toContain('1. 济源路街道 **64.9** — · <font color="warning">逾期2项</font>');
    expect(sept28).toContain('2. 新安路街道 **43.3** —');
    // The courtyards and cadres of the district, with their changes (all fit: no top/bottom cut).
    expect(sept28).toContain('1. 东方花园（济源路街道） **72.5** ↑1 · <font color="warning">逾期1项</font>\n2. 建设院（济源路街道） **66.7** ↓1');
    expect(sept28).toContain('1. 张伟（区财政局） **69.4** ↑2 · <font color="warning">逾期1项</font>');
    expect(sept28).toContain('4. 王强（区住建局） **42.9** ↓3');
    // Overdue more than 7 days on 09-28: #2 (deadline 09-18) and request #5 (due 09-18), 10 days each.
    expect(sept28).toContain('逾期超过 7 天（2 项）');
    expect(sept28).toContain('济源路街道 东方花园 · 项目逾期 #2 楼道照明 · 逾期10天 · 张伟');
    expect(sept28).toContain('济源路街道 幸福里 · 诉求未反馈 #5 诉求5 · 逾期10天 · 李娜');
    expect(rankings[0]!.content).toContain('没有逾期超过 7 天的事项');
    // With each ranking, the chart and the table.
    for (const d of ['2020-09-21', '2020-09-28', '2020-10-09']) {
      expect(lead.filter((p) => day(p) === d && p.msgtype === 'image')).toHaveLength(1);
      expect(lead.filter((p) => day(p) === d && p.msgtype === 'file')).toHaveLength(1);
    }

    const street = byKey('jiyuan').filter((p) => p.content.includes('每周排名'));
    expect(street.map(day)).toEqual(['2020-09-21', '2020-09-28', '2020-10-09']);
    const s = street[1]!.content;
    expect(s).toContain('本街道：第 1 名（共 2 个）**64.9** 分 —');
    // 东方花园 2nd → 1st, 建设院 1st → 2nd, 幸福里 3rd → 3rd (55.2, 100, 51.7 the week before).
    expect(s).toContain('1. 东方花园 **72.5** ↑1 · <font color="warning">逾期1项</font>');
    expect(s).toContain('2. 建设院 **66.7** ↓1');
    expect(s).toContain('3. 幸福里 **55.4** — · <font color="warning">逾期1项</font>');
    // Cadres within the street: 王强 74.0, 李娜 45.7, 张伟 37.2 the week before.
    expect(s).toContain('张伟（区财政局） 69.4 ↑2、李娜（区医保局） 64.0 —、王强（区住建局） 42.9 ↓2');
    // What was pushed is what was published.
    const published = await bench.models.RankingSnapshot.find({ kind: 'week' }).sort({ periodStart: 1 }).lean();
    expect(published.map((p) => [calendar.dayKey(p.periodStart), p.version])).toEqual([
      ['2020-09-14', 1],
      ['2020-09-21', 1],
      ['2020-09-28', 1],
    ]);
    expect(published[1]!.rows.find((r) => r.level === 'street' && r.name === '济源路街道')).toMatchObject({ score: 64.9, rank: 1 });
    // Courtyard groups get no ranking.
    expect(byKey('dongfang').some((p) => p.content.includes('每周排名'))).toBe(false);
  });

  it('reminds cadres without their half day on Thursday 16:00, not on a holiday Thursday', () => {
    const reminders = seen.filter((p) => p.content.includes('下沉提醒'));
    // Week 09-21…27: 王强 has 1 hour (幸福里 09-21); 张伟 4.5, 李娜 4, 赵敏 4. Thursdays 10-01 and 10-08 are holidays.
    expect(reminders.map((p) => [p.key, `${day(p)} ${hm(p)}`, p.mentions])).toEqual([['xingfu', '2020-09-24 16:00', ['wangqiang']]]);
    expect(reminders[0]!.content).toContain('**王强** 本周已记 1 小时');
  });

  it('ranks September’s inspection scores when October 1st is over, on the next working morning', () => {
    // Groups are separate lanes of the outbox: their order within a moment is not fixed.
    const monthly = seen.filter((p) => p.content.includes('月度观摩评分')).sort((a, b) => a.key.localeCompare(b.key));
    expect(monthly.map((p) => [p.key, `${day(p)} ${hm(p)}`])).toEqual([
      ['jiyuan', '2020-10-09 08:00'],
      ['lead', '2020-10-09 08:00'],
    ]);
    // The first monthly publication: no arrows; deferred, it says when its figures are of.
    expect(monthly[1]!.content).toContain('1. 济源路街道 **88.0** · 2 人评分\n2. 新安路街道 **80.0** · 1 人评分');
    expect(monthly[1]!.content).toContain('截至10月1日 09:00（推送顺延');
    expect(monthly[0]!.content).toContain('济源路街道：观摩评分第 **1** 名（共 2 个街道）平均 **88.0** 分 · 2 人评分');
    expect(monthly[0]!.content).toContain('综合得分：第 1 名（共 2 个）**56.9** 分');
  });
});
