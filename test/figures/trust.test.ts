/**
 * Figures people can trust (issue 11), through signed callbacks on a fresh database: what
 * was published never changes; an idle courtyard cannot score well; every surface counts
 * the same; the dashboard's headline is the push; a first publication has no arrows and a
 * newcomer is 新.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import request from 'supertest';
import { createDashboardRouter } from '../../src/dashboard/router';
import type { DashboardData } from '../../src/dashboard/types';
import type { RankingSnapshot } from '../../src/db/models';
import { createApp } from '../../src/http/app';
import { silentLogger } from '../../src/log';
import { importRoster } from '../../src/roster/import-roster';
import { createCalendar } from '../../src/services/calendar';
import { weekPeriod } from '../../src/services/period';
import { computeRankings, RANK_LEVELS } from '../../src/services/ranking';
import { DEFAULT_SCORE_WEIGHTS } from '../../src/services/score';
import { rankChange, rowsIn } from '../../src/services/snapshots';
import type { PushRequest } from '../../src/wecom/outbox';
import { seedQueries } from '../commands/query-seed';
import { createTestBot, type BasicFixture, type TestBot } from '../helpers/bot';
import { testConfig } from '../helpers/wecom';

/** That Beijing wall-clock time. */
const bj = (text: string) => new Date(`${text.replace(' ', 'T')}:00+08:00`);
const LEAD = 'grp-lead';
const LEAD_URL = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=lead-0001';
const STREET_URL = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=jiyuan-0001';
const plain = (md: string) => md.replace(/<\/?font[^>]*>/g, '');

interface World {
  bot: TestBot;
  f: BasicFixture;
  /** GET the dashboard's data for the link /看板 gives in `chat`. */
  dashboard(chat: string): Promise<DashboardData>;
  /** The markdown pushed to a group by the push at this point. */
  pushed(url: string): string[];
  /** The Excel file /导出 sent last, as workbook. */
  exported(): Promise<ExcelJS.Workbook>;
  snapshots(): Promise<RankingSnapshot[]>;
}

async function world(now: Date): Promise<World> {
  const bot = await createTestBot({ now });
  const f = await bot.seed.basic();
  await bot.seed.group(LEAD, 'district', { purpose: 'leadership', webhookUrl: LEAD_URL });
  await bot.models.Group.updateOne({ chatId: f.groups.jiyuan }, { $set: { webhookUrl: STREET_URL } });
  const router = createDashboardRouter({
    models: bot.models,
    config: { dashboardSecret: testConfig().dashboardSecret, scoreWeights: DEFAULT_SCORE_WEIGHTS },
    log: silentLogger,
    calendar: createCalendar(),
    now: () => bot.now(),
    prepareAtStart: false,
    cacheMs: 0,
  });
  const http = request(createApp({ log: silentLogger, engine: 'test', pingDb: async () => {}, routers: [router] }).callback());
  const markdown = (r: PushRequest) => (r.payload.type === 'markdown' ? r.payload.content : '');
  return {
    bot,
    f,
    async dashboard(chat) {
      const reply = await bot.send(f.users.admin, chat, '/看板');
      const token = /[?&]t=([^&)\s]+)/.exec(reply)?.[1];
      if (!token) throw new Error(`no link in ${reply}`);
      const res = await http.get('/dashboard/api/data').query({ t: decodeURIComponent(token) });
      expect(res.status).toBe(200);
      return res.body as DashboardData;
    },
    pushed: (url) => bot.outbox.requests.filter((r) => r.target.kind === 'webhook' && r.target.url === url).map(markdown).filter(Boolean),
    async exported() {
      const file = bot.outbox.requests.filter((r) => r.payload.type === 'file').at(-1)!;
      const book = new ExcelJS.Workbook();
      await book.xlsx.load((file.payload as { data: Buffer }).data as unknown as ArrayBuffer);
      return book;
    },
    snapshots: () => bot.models.RankingSnapshot.find().sort({ periodStart: 1, version: 1 }).lean<RankingSnapshot[]>(),
  };
}

/** The body rows of a progress-table sheet by courtyard name: [score, rank] of the period and of the one before. */
function tableScores(book: ExcelJS.Workbook, sheet: string): Record<string, unknown[]> {
  const ws = book.getWorksheet(sheet)!;
  const out: Record<string, unknown[]> = {};
  for (let r = 5; r <= ws.rowCount; r++) {
    const v = (ws.getRow(r).values as unknown[]).slice(1);
    out[v[2] as string] = [v[18], v[19], v[21], v[22]];
  }
  return out;
}

/** Writes roster CSV files into a fresh directory. */
function roster(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'lyt-trust-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), `\ufeff${text}\n`);
  return dir;
}

describe('(a, d, f) a published ranking is final', () => {
  let w: World;
  let first: RankingSnapshot;
  let firstPush: string;
  let secondStreetPush: string;

  beforeAll(async () => {
    // The week 09-07…13: one project in 东方花园, half days by 张三 (东方花园) and 李四 (陇海安居).
    w = await world(bj('2020-09-08 10:00'));
    const { bot, f } = w;
    expect(await bot.send(f.users.admin, f.groups.dongfang, '/项目 新建 路面硬化 类别=工程 截止=9月30日 责任人=张三')).toContain('#1');
    expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/进度 #1 40% 开工')).toContain('40%');
    expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/下沉 半天 清理杂物')).toContain('✅');
    expect(await bot.send(f.users.lisi, '', '/下沉 半天 政策宣讲 楼院=陇海安居')).toContain('✅');

    // Monday 09-14 09:00: the district admin pushes the weekly ranking (the scheduled push does the same).
    bot.setNow(bj('2020-09-14 09:00'));
    expect(await bot.send(f.users.admin, LEAD, '/推送 周排名')).toContain('✅ **周排名** 已加入发送队列');
    first = (await w.snapshots())[0]!;
    firstPush = w.pushed(LEAD_URL).at(-1)!;

    // Afterwards: volunteer teams and a party organisation recorded, 李四 moved to 东方花园, a new
    // courtyard with a new cadre — all after the week was published.
    bot.setNow(bj('2020-09-14 10:00'));
    expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/组织 志愿队 3')).toContain('✅ 已记录');
    expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/组织 党支部 已建')).toContain('✅ 已记录');
    const imported = await importRoster(
      bot.models,
      [
        roster({
          '楼院.csv': '楼院名称*,所属街道*\n新建院,济源路街道',
          '干部.csv': '姓名*,单位*,手机,企业微信账号,角色,管辖范围,分包楼院\n李四,区残联,,lisi,干部,,东方花园\n王新,区住建局,,wangxin,干部,,新建院',
        }),
      ],
      { now: bot.now() },
    );
    expect(imported.problems).toEqual([]);
    bot.setNow(bj('2020-09-15 10:00'));
    expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/下沉 半天 征集意见')).toContain('✅');
  });
  afterAll(() => w.bot.close());

  it('(f) has no arrows on a deployment’s first publication', () => {
    expect(first).toMatchObject({ kind: 'week', periodStart: bj('2020-09-07 00:00'), version: 1, previous: null });
    expect(plain(firstPush)).toContain('首次发布，没有可比较的上期排名');
    const rankLines = plain(firstPush).split('\n').filter((l) => /^\d+\. /.test(l));
    expect(rankLines.length).toBeGreaterThan(3);
    for (const l of rankLines) expect(l).not.toMatch(/[↑↓]| 新| —/);
  });

  it('(a) /排名 上周, the dashboard, the Excel and a recomputation all equal the published snapshot after later changes', async () => {
    const { bot, f } = w;
    const jiyuan = String(f.streets.jiyuan._id);
    const published = rowsIn(first, 'courtyard', { streetId: jiyuan });
    expect(published.map((r) => r.name)).toEqual(['东方花园', '陇海安居']);

    const ranking = plain(await bot.send(f.users.stranger, f.groups.jiyuan, '/排名 楼院 上周'));
    expect(ranking.split('\n').filter((l) => /^\d+\. /.test(l))).toEqual(published.map((r) => `${r.rank}. ${r.name} 济源路街道 **${r.score!.toFixed(1)}**${r.overdue ? ` · 逾期${r.overdue}` : ''}`));

    const data = await w.dashboard(f.groups.jiyuan);
    expect(data.period).toMatchObject({ published: true, label: '已发布：9月7日–13日' });
    expect(data.chart.rows.map((r) => [r.name, r.score, r.rank])).toEqual(published.map((r) => [r.name, r.score, r.rank]));
    const street = rowsIn(first, 'street').find((r) => r.id === jiyuan)!;
    expect(data.summary).toMatchObject({ score: street.score, rank: street.rank });

    expect(await bot.send(f.users.jyAdmin, f.groups.jiyuan, '/导出 上周')).toContain('正在发送到本群');
    const table = tableScores(await w.exported(), '济源路街道');
    for (const r of published) expect(table[r.name]!.slice(0, 2)).toEqual([r.score, r.rank]);

    // History: the week computed again now, after the changes, is what was published.
    const again = await computeRankings(bot.models, { levels: RANK_LEVELS, period: weekPeriod(bj('2020-09-14 09:00'), -1), now: bot.now() });
    for (const level of RANK_LEVELS) {
      expect(again[level].map((r) => [r.name, r.score, r.rank, r.parts])).toEqual(rowsIn(first, level).map((r) => [r.name, r.score, r.rank, r.parts]));
    }
    // …while the organisations and assignments did change: this week sees them.
    const now = await computeRankings(bot.models, { levels: ['courtyard'], period: weekPeriod(bot.now()), now: bot.now(), courtyardId: String(f.courtyards.dongfang._id) });
    expect(now.courtyard[0]!.parts.orgs).toBeCloseTo(66.7, 1);
    expect(rowsIn(first, 'courtyard').find((r) => r.name === '东方花园')!.parts.orgs).toBe(0);
  });

  describe('the next Monday', () => {
    let data: DashboardData;
    beforeAll(async () => {
      const { bot, f } = w;
      bot.setNow(bj('2020-09-21 09:00'));
      expect(await bot.send(f.users.admin, LEAD, '/推送 周排名')).toContain('✅ **周排名** 已加入发送队列');
      secondStreetPush = w.pushed(STREET_URL).at(-1)!;
      bot.setNow(bj('2020-09-21 09:01'));
      data = await w.dashboard(f.groups.jiyuan);
    });

    it('(a) arrows compare with the published snapshot, and a newcomer is 新 (f)', async () => {
      const [a, b] = await w.snapshots();
      expect(b!.previous).toEqual(a!._id);
      const jiyuan = String(w.f.streets.jiyuan._id);
      const before = new Map(rowsIn(a!, 'courtyard', { streetId: jiyuan }).map((r) => [r.id, r.rank]));
      const lines = plain(secondStreetPush).split('\n');
      for (const r of rowsIn(b!, 'courtyard', { streetId: jiyuan })) {
        const arrow = rankChange({ rank: r.rank, previousRank: before.get(r.id), isNew: !before.has(r.id) });
        expect(lines).toContain(`${r.rank}. ${r.name} **${r.score!.toFixed(1)}** ${arrow}${r.overdue ? ` · 逾期${r.overdue}项` : ''}`);
      }
      expect(lines.find((l) => l.includes('新建院'))).toMatch(/ 新$/);
      expect(plain(secondStreetPush)).toMatch(/王新（区住建局） [\d.]+ 新/);
    });

    it('(d) the dashboard’s headline equals the push', () => {
      const m = /本街道：第 (\d+) 名（共 (\d+) 个）\*\*([\d.]+)\*\* 分(?: (\S+))?/.exec(plain(secondStreetPush))!;
      expect(m).not.toBeNull();
      expect(data.period).toMatchObject({ published: true, label: '已发布：9月14日–20日' });
      expect(data.summary).toMatchObject({ rank: Number(m[1]), of: Number(m[2]), score: Number(m[3]), change: m[4] ?? '' });
      // The running week is beside it, labelled as running, not ranked.
      expect(data.running.label).toBe('本周进行中，截至9月21日');
    });
  });
});

describe('(b) an idle courtyard cannot score well', () => {
  let w: World;
  beforeAll(async () => {
    // 东方花园: a project at 50 % and 张三's half day there. 陇海安居: all three organisations, no
    // project, and its cadre 李四 spends his half day at his other courtyard, 水泵厂家属院.
    w = await world(bj('2020-09-15 10:00'));
    const { bot, f } = w;
    await bot.send(f.users.admin, f.groups.dongfang, '/项目 新建 路面硬化 类别=工程 截止=9月30日 责任人=张三');
    await bot.send(f.users.zhangsan, f.groups.dongfang, '/进度 #1 50%');
    await bot.send(f.users.zhangsan, f.groups.dongfang, '/下沉 半天 清理杂物');
    for (const line of ['/组织 党支部 已建', '/组织 自管会 已建', '/组织 志愿队 2']) expect(await bot.send(f.users.admin, f.groups.jiyuan, `${line} 楼院=陇海安居`)).toContain('✅');
    expect(await bot.send(f.users.lisi, '', '/下沉 全天 政策宣讲 楼院=水泵厂家属院')).toContain('✅');
    bot.setNow(bj('2020-09-21 09:00'));
    await bot.send(f.users.admin, LEAD, '/推送 周排名');
    bot.setNow(bj('2020-09-21 10:00'));
  });
  afterAll(() => w.bot.close());

  it('ranks below a courtyard with a project in progress and a visit, on every surface, and is never 优', async () => {
    const { bot, f } = w;
    const order = (text: string) => plain(text).split('\n').filter((l) => /^\d+\. /.test(l)).map((l) => l.split(' ')[1]);
    expect(order(await bot.send(f.users.stranger, f.groups.jiyuan, '/排名 楼院 上周'))).toEqual(['东方花园', '陇海安居']);
    const street = plain(w.pushed(STREET_URL).at(-1)!);
    expect(street.indexOf('东方花园')).toBeLessThan(street.indexOf('陇海安居'));
    // 项目进度 0 (无项目), 干部下沉 0 (李四's hours were elsewhere), 三类组织 100: (0 + 0 + 1000) / 60.
    const [snapshot] = await w.snapshots();
    expect(rowsIn(snapshot!, 'courtyard').find((r) => r.name === '陇海安居')).toMatchObject({ score: 16.7, noProjects: true, parts: { progress: 0, visits: 0, orgs: 100, onTime: null, requests: null } });

    const data = await w.dashboard(f.groups.jiyuan);
    const tile = data.courtyards.find((c) => c.name === '陇海安居')!;
    expect(tile.score).toBeLessThan(85);
    expect(tile).toMatchObject({ noProjects: true, unmeasured: ['onTime', 'requests'] });
    expect(data.courtyards.find((c) => c.name === '东方花园')!.score).toBeGreaterThan(tile.score!);

    // 需关注 lists it first.
    const card = plain(await bot.send(f.users.jyAdmin, f.groups.jiyuan, '/查询'));
    expect(card.slice(card.indexOf('需关注')).split('\n')[1]).toBe('陇海安居 · 16.7 分 · 无项目 · 无逾期');
  });
});

describe('(c) every surface counts the same for the same scope and period', () => {
  let w: World;
  beforeAll(async () => {
    w = await world(bj('2020-09-16 10:00'));
    await seedQueries(w.bot, w.f);
    // 东方花园's owners' committee recorded by /组织 before 自治组织全覆盖's deadline (09-20): it
    // counts for the milestone everywhere; 陇海安居 misses it.
    expect(await w.bot.send(w.f.users.zhangsan, w.f.groups.dongfang, '/组织 自管会 已建')).toContain('✅');
    w.bot.setNow(bj('2020-09-22 10:00'));
    await w.bot.send(w.f.users.admin, LEAD, '/推送 周排名');
  });
  afterAll(() => w.bot.close());

  it('shows the same overdue counts, milestone completion and feedback rate on /查询, /逾期, /节点, /排名, the dashboard and the Excel', async () => {
    const { bot, f } = w;
    const chat = f.groups.jiyuan;
    const card = plain(await bot.send(f.users.jyAdmin, chat, '/查询'));
    const late = (re: RegExp) => Number(re.exec(card)?.[1] ?? 0);
    const fromCard = { project: late(/整治项目：.*逾期 (\d+)/), request: late(/超期未反馈 (\d+)/), milestone: late(/(\d+) 个楼院次未按期完成/) };
    // #3 (due 09-10) and #1 (due 09-20) late; request #1 unanswered; 陇海安居 missed 自治组织全覆盖.
    expect(fromCard).toEqual({ project: 2, request: 1, milestone: 1 });

    const overdue = plain(await bot.send(f.users.jyAdmin, chat, '/逾期'));
    const counted = (word: string) => Number(new RegExp(`${word} (\\d+)`).exec(overdue.split('\n')[1]!)?.[1] ?? 0);
    expect({ project: counted('项目'), request: counted('诉求'), milestone: counted('节点') }).toEqual(fromCard);

    const data = await w.dashboard(chat);
    const byKind = (k: string) => data.overdue.items.filter((i) => i.kind === k).length;
    expect({ project: byKind('project'), request: byKind('request'), milestone: byKind('milestone') }).toEqual(fromCard);

    const running = plain(await bot.send(f.users.jyAdmin, chat, '/排名 楼院 本周'));
    const rowsLate = [...running.matchAll(/逾期(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
    expect(rowsLate).toBe(fromCard.project + fromCard.request + fromCard.milestone);

    await bot.send(f.users.jyAdmin, chat, '/导出');
    const ws = (await w.exported()).getWorksheet('济源路街道')!;
    const rows = Array.from({ length: ws.rowCount - 4 }, (_, i) => (ws.getRow(i + 5).values as unknown[]).slice(1));
    const sum = (col: number) => rows.reduce((n, r) => n + (typeof r[col] === 'number' ? (r[col] as number) : 0), 0);
    expect({ project: sum(9), request: sum(14) }).toEqual({ project: fromCard.project, request: fromCard.request });

    // Milestones: /查询 counts a courtyard done by /组织 as /节点 does.
    const milestones = plain(await bot.send(f.users.jyAdmin, chat, '/节点 列表'));
    expect(milestones).toMatch(/自治组织全覆盖[^\n]*\n[^\n]*1\/2/);
    expect(card).toContain('自治组织全覆盖 · 完成 1/2');

    // Feedback rate: /查询's equals the Excel's over its courtyards.
    const rate = Number(/反馈率 ([\d.]+)%/.exec(card)![1]);
    const total = sum(10);
    const answered = rows.reduce((n, r) => n + (typeof r[11] === 'number' ? (r[11] as number) * (r[10] as number) : 0), 0);
    expect(Math.round((answered / total) * 1000) / 10).toBe(rate);
  });

  it('shows the same courtyard scores on /排名 上周, the dashboard, the Excel and the push', async () => {
    const { bot, f } = w;
    const [snapshot] = await w.snapshots();
    const published = rowsIn(snapshot!, 'courtyard', { streetId: String(f.streets.jiyuan._id) }).map((r) => [r.name, r.score]);
    const ranking = plain(await bot.send(f.users.stranger, f.groups.jiyuan, '/排名 楼院 上周'));
    expect(ranking.split('\n').filter((l) => /^\d+\. /.test(l)).map((l) => [l.split(' ')[1], Number(/\*\*([\d.]+)\*\*/.exec(l)![1])])).toEqual(published);
    const data = await w.dashboard(f.groups.jiyuan);
    expect(data.chart.rows.map((r) => [r.name, r.score])).toEqual(published);
    await bot.send(f.users.jyAdmin, f.groups.jiyuan, '/导出 上周');
    const table = tableScores(await w.exported(), '济源路街道');
    expect(published.map(([name]) => [name, table[name as string]![0]])).toEqual(published);
    const push = plain(w.pushed(STREET_URL).at(-1)!);
    for (const [name, score] of published) expect(push).toContain(`${name} **${(score as number).toFixed(1)}**`);
  });
});
