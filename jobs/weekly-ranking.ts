import { bold, escapeMarkdown, font } from '../src/bot/markdown';
import { defineJob, type PlannedPush } from '../src/jobs/define-job';
import { fitLines } from '../src/jobs/fit-lines';
import { districtGroups, loadPushGroups, pushTo, streetGroups } from '../src/jobs/targets';
import { renderStreetChart } from '../src/services/chart';
import { findOverdue, OVERDUE_KIND_LABELS, type OverdueItem } from '../src/services/overdue';
import { buildProgressTable } from '../src/services/progress-table';
import { computeRanking, weekPeriod, type RankRow } from '../src/services/ranking';

/** Lists longer than this show the top and bottom five only. */
const LIST_ALL_UP_TO = 15;
const TOP_BOTTOM = 5;
const CADRES_EACH_END = 3;
/** Items this many days late go into the leadership groups' weekly message. */
const LONG_OVERDUE_DAYS = 7;

/** The rank change against last week: ↑2, ↓1, — (same), 新 (not ranked last week). */
export function rankChange(row: Pick<RankRow, 'rank' | 'previousRank'>): string {
  if (row.previousRank === undefined) return '新';
  const d = row.previousRank - row.rank;
  return d > 0 ? `↑${d}` : d < 0 ? `↓${-d}` : '—';
}

function rankLine(r: RankRow): string {
  const overdue = r.overdue > 0 ? ` · ${font('warning', `逾期${r.overdue}项`)}` : '';
  return `${r.rank}. ${escapeMarkdown(r.name)} ${bold(r.score.toFixed(1))} ${rankChange(r)}${overdue}`;
}

/** All rows when few, else the top and bottom five with a gap line between. */
function topAndBottom(rows: RankRow[]): string[] {
  if (rows.length <= LIST_ALL_UP_TO) return rows.map(rankLine);
  return [...rows.slice(0, TOP_BOTTOM).map(rankLine), `……（共 ${rows.length} 个，中间 ${rows.length - 2 * TOP_BOTTOM} 个略）`, ...rows.slice(-TOP_BOTTOM).map(rankLine)];
}

function overdueLine(i: OverdueItem): string {
  const what = i.no ? `#${i.no} ${escapeMarkdown(i.title)}` : escapeMarkdown(i.title);
  const who = i.responsible.names.length ? ` · ${escapeMarkdown(i.responsible.names.join('、'))}` : '';
  return `${escapeMarkdown(i.streetName)} ${escapeMarkdown(i.courtyardName)} · ${OVERDUE_KIND_LABELS[i.kind]} ${what} · 逾期${i.daysLate}天${who}`;
}

function cadreName(r: RankRow): string {
  return `${escapeMarkdown(r.name)}${r.unit ? `（${escapeMarkdown(r.unit)}）` : ''} ${r.score.toFixed(1)}`;
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
 * 每周排名 (Monday 09:00): last week's street ranking with the change against the week
 * before, overdue counts and the items more than 7 days late, the chart and the progress
 * table to the leadership groups; each street's courtyard and cadre ranking to its groups.
 */
export default defineJob({
  name: 'weekly-ranking',
  title: '周排名',
  schedule: '0 9 * * 1',
  onDayOff: 'hold',
  async build({ models, calendar, config, firedAt }) {
    const groups = await loadPushGroups(models);
    if (groups.length === 0) return [];
    const period = weekPeriod(firedAt, -1);
    const base = { period, calendar, weights: config.scoreWeights, now: firedAt };
    const streets = await computeRanking(models, { ...base, level: 'street' });
    const pushes: PlannedPush[] = [];

    const leaders = districtGroups(groups);
    if (leaders.length > 0) {
      const late = (await findOverdue(models, { scope: {}, now: firedAt, calendar, kinds: ['project', 'request', 'milestone'] })).filter(
        (i) => i.daysLate > LONG_OVERDUE_DAYS,
      );
      const head = [`## 每周排名 ${period.label}`, font('comment', '分数后为与上周相比的名次变化'), bold('各街道综合得分'), ...topAndBottom(streets)];
      if (streets.length === 0) head.push(font('comment', '还没有楼院数据。'));
      const markdown = late.length
        ? fitLines([...head, '', bold(`逾期超过 ${LONG_OVERDUE_DAYS} 天（${late.length} 项）`)], late.map(overdueLine), [], (n) => `……另有 ${n} 项，发送 /逾期 查看`)
        : [...head, '', font('info', `没有逾期超过 ${LONG_OVERDUE_DAYS} 天的事项`)].join('\n');
      const chart = streets.length ? renderStreetChart(streets, { title: `各街道综合得分（${period.label}）` }) : undefined;
      const table = await buildProgressTable(models, { period, now: firedAt, calendar });
      for (const g of leaders) {
        pushes.push(pushTo(g, 'ranking', { type: 'markdown', content: markdown }));
        if (chart) pushes.push(pushTo(g, 'chart', { type: 'image', png: chart }));
        pushes.push(pushTo(g, 'table', { type: 'file', filename: table.filename, data: table.data }));
      }
    }

    for (const street of streets) {
      const targets = streetGroups(groups, street.id);
      if (targets.length === 0) continue;
      const [yards, cadres] = await Promise.all([
        computeRanking(models, { ...base, level: 'courtyard', streetId: street.id }),
        computeRanking(models, { ...base, level: 'cadre', streetId: street.id }),
      ]);
      const head = [
        `## ${escapeMarkdown(street.name)} 每周排名 ${period.label}`,
        `本街道：第 ${street.rank} 名（共 ${streets.length} 个）${bold(street.score.toFixed(1))} 分 ${rankChange(street)}`,
        bold('楼院排名'),
      ];
      const markdown = fitLines(head, topAndBottom(yards), ['', ...cadreLines(cadres)], (n) => `……另有 ${n} 个楼院，发送 /排名 楼院 查看`);
      for (const g of targets) pushes.push(pushTo(g, 'ranking', { type: 'markdown', content: markdown }));
    }
    return pushes;
  },
});
