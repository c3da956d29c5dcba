import { bold, escapeMarkdown, font } from '../src/text/markdown';
import { defineJob, sentLate, type JobContext, type PlannedPush } from '../src/jobs/define-job';
import { fitLines } from '../src/jobs/fit-lines';
import { districtGroups, loadPushGroups, pushTo, streetGroups } from '../src/jobs/targets';
import type { RankingSnapshot } from '../src/db/models';
import { formatDateTime } from '../src/services/beijing-time';
import { renderStreetChart } from '../src/services/chart';
import { findOverdue, OVERDUE_KIND_LABELS, type OverdueItem } from '../src/services/overdue';
import { shortLabel, weekPeriod, type Period } from '../src/services/period';
import { buildProgressTable } from '../src/services/progress-table';
import type { RankRow } from '../src/services/ranking';
import { formatScore } from '../src/services/score';
import { compareRows, loadSnapshot, previewPeriod, publishPeriod, rankChange, rowsIn, snapshotPeriod } from '../src/services/snapshots';

export { rankChange };

/** Lists longer than this show the top and bottom five only. */
const LIST_ALL_UP_TO = 10;
const TOP_BOTTOM = 5;
const CADRES_EACH_END = 3;
/** Items this many days late go into the leadership groups' weekly message. */
const LONG_OVERDUE_DAYS = 7;

function withChange(r: RankRow): string {
  const change = rankChange(r);
  return change ? ` ${change}` : '';
}

function rankLine(r: RankRow, where = false): string {
  const overdue = r.overdue > 0 ? ` · ${font('warning', `逾期${r.overdue}项`)}` : '';
  const street = where && r.streetName ? `（${escapeMarkdown(r.streetName)}）` : r.unit ? `（${escapeMarkdown(r.unit)}）` : '';
  return `${r.rank}. ${escapeMarkdown(r.name)}${street} ${bold(formatScore(r.score))}${withChange(r)}${overdue}`;
}

/** All rows when few, else the top and bottom five with a gap line between. */
function topAndBottom(rows: RankRow[], where = false): string[] {
  if (rows.length <= LIST_ALL_UP_TO) return rows.map((r) => rankLine(r, where));
  return [...rows.slice(0, TOP_BOTTOM).map((r) => rankLine(r, where)), `……（共 ${rows.length} 个，中间 ${rows.length - 2 * TOP_BOTTOM} 个略）`, ...rows.slice(-TOP_BOTTOM).map((r) => rankLine(r, where))];
}

function overdueLine(i: OverdueItem): string {
  const what = i.no ? `#${i.no} ${escapeMarkdown(i.title)}` : escapeMarkdown(i.title);
  const who = i.responsible.names.length ? ` · ${escapeMarkdown(i.responsible.names.join('、'))}` : '';
  return `${escapeMarkdown(i.streetName)} ${escapeMarkdown(i.courtyardName)} · ${OVERDUE_KIND_LABELS[i.kind]} ${what} · 逾期${i.daysLate}天${who}`;
}

function cadreName(r: RankRow): string {
  return `${escapeMarkdown(r.name)}${r.unit ? `（${escapeMarkdown(r.unit)}）` : ''} ${formatScore(r.score)}${withChange(r)}`;
}

/** Top and bottom cadres of a street, or all of them when few. */
function cadreLines(cadres: RankRow[]): string[] {
  if (cadres.length === 0) return [];
  if (cadres.length <= 2 * CADRES_EACH_END) return [bold('干部得分'), cadres.map(cadreName).join('、')];
  return [
    `${bold('干部前三')}：${cadres.slice(0, CADRES_EACH_END).map(cadreName).join('、')}`,
    `${bold('干部后三')}：${cadres.slice(-CADRES_EACH_END).map(cadreName).join('、')}`,
  ];
}

/**
 * The period's published snapshot (publishing it on a real run, once per period), or on a
 * dry run the one that a publication would write.
 */
export async function rankingToPush(ctx: JobContext, period: Period, by: string): Promise<{ snapshot: RankingSnapshot; previous: RankingSnapshot | null }> {
  const opts = { period, weights: ctx.config.scoreWeights, now: ctx.firedAt, by };
  const snapshot = ctx.dryRun ? await previewPeriod(ctx.models, opts) : (await publishPeriod(ctx.models, opts)).snapshot;
  return { snapshot, previous: await loadSnapshot(ctx.models, snapshot.previous) };
}

/** The lines under a title: what the arrows compare with, the version, and when the figures are of (a push sent later than its fire). */
export function publicationNotes(ctx: JobContext, snapshot: RankingSnapshot, previous: RankingSnapshot | null, word: string): string[] {
  const notes = [font('comment', previous ? `分数后为与${word} ${shortLabel(snapshotPeriod(previous))}相比的名次变化` : '首次发布，没有可比较的上期排名')];
  if (snapshot.version > 1) notes.push(font('warning', `第${snapshot.version}版（更正${snapshot.reason ? `：${escapeMarkdown(snapshot.reason)}` : ''}）`));
  if (sentLate(ctx)) notes.push(font('comment', `截至${formatDateTime(ctx.firedAt)}（推送顺延，逾期天数按此时计算）`));
  return notes;
}

/**
 * 每周排名 (Monday 09:00): publishes last week's ranking (src/services/snapshots.ts) and
 * pushes it — the streets with their scores and ↑↓ against the previous published week, the
 * top and bottom five courtyards and cadres, the items more than 7 days late, the chart and
 * the progress table — to the leadership groups; each street's part to its groups.
 */
export default defineJob({
  name: 'weekly-ranking',
  title: '周排名',
  schedule: '0 9 * * 1',
  onDayOff: 'hold',
  publishes: true,
  async build(ctx) {
    const { models, calendar, firedAt } = ctx;
    const groups = await loadPushGroups(models);
    if (groups.length === 0) return [];
    const period = weekPeriod(firedAt, -1);
    const { snapshot, previous } = await rankingToPush(ctx, period, 'weekly-ranking');
    const label = shortLabel(period);
    const streets = compareRows(rowsIn(snapshot, 'street'), previous, 'street');
    const pushes: PlannedPush[] = [];
    const notes = publicationNotes(ctx, snapshot, previous, '上一周');

    const leaders = districtGroups(groups);
    if (leaders.length > 0) {
      const late = (await findOverdue(models, { scope: {}, now: firedAt, calendar, kinds: ['project', 'request', 'milestone'] })).filter(
        (i) => i.daysLate > LONG_OVERDUE_DAYS,
      );
      const yards = compareRows(rowsIn(snapshot, 'courtyard'), previous, 'courtyard');
      const cadres = compareRows(rowsIn(snapshot, 'cadre'), previous, 'cadre');
      const head = [`## 每周排名 ${label}`, ...notes, bold('各街道综合得分'), ...streets.map((r) => rankLine(r))];
      if (streets.length === 0) head.push(font('comment', '还没有楼院数据。'));
      if (yards.length) head.push('', bold(yards.length <= LIST_ALL_UP_TO ? '楼院得分' : `楼院前 ${TOP_BOTTOM} 名与后 ${TOP_BOTTOM} 名`), ...topAndBottom(yards, true));
      if (cadres.length) head.push('', bold(cadres.length <= LIST_ALL_UP_TO ? '干部得分' : `干部前 ${TOP_BOTTOM} 名与后 ${TOP_BOTTOM} 名`), ...topAndBottom(cadres));
      const markdown = late.length
        ? fitLines([...head, '', bold(`逾期超过 ${LONG_OVERDUE_DAYS} 天（${late.length} 项）`)], late.map(overdueLine), [], (n) => `……另有 ${n} 项，发送 /逾期 查看`)
        : [...head, '', font('info', `没有逾期超过 ${LONG_OVERDUE_DAYS} 天的事项`)].join('\n');
      const chart = streets.length
        ? renderStreetChart(streets, {
            title: `各街道综合得分（${label}）`,
            seriesNames: { current: label, previous: previous ? `上一周 ${shortLabel(snapshotPeriod(previous))}` : '上一周（未发布）' },
          })
        : undefined;
      const table = await buildProgressTable(models, { period, now: firedAt, calendar, snapshot, previous });
      for (const g of leaders) {
        pushes.push(pushTo(g, 'ranking', { type: 'markdown', content: markdown }));
        if (chart) pushes.push(pushTo(g, 'chart', { type: 'image', png: chart }));
        pushes.push(pushTo(g, 'table', { type: 'file', filename: table.filename, data: table.data }));
      }
    }

    for (const street of streets) {
      const targets = streetGroups(groups, street.id);
      if (targets.length === 0) continue;
      const scope = { streetId: street.id };
      const yards = compareRows(rowsIn(snapshot, 'courtyard', scope), previous, 'courtyard', scope);
      const cadres = compareRows(rowsIn(snapshot, 'cadre', scope), previous, 'cadre', scope);
      const head = [
        `## ${escapeMarkdown(street.name)} 每周排名 ${label}`,
        ...notes,
        `本街道：第 ${street.rank} 名（共 ${streets.length} 个）${bold(formatScore(street.score))} 分${withChange(street)}`,
        bold('楼院排名'),
      ];
      const markdown = fitLines(head, topAndBottom(yards), ['', ...cadreLines(cadres)], (n) => `……另有 ${n} 个楼院，发送 /排名 楼院 上周 查看`);
      for (const g of targets) pushes.push(pushTo(g, 'ranking', { type: 'markdown', content: markdown }));
    }
    return pushes;
  },
});
