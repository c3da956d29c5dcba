/** What the status cards share: their options, the lines several cards show, the paging footer. */
import { bold, escapeMarkdown, font, MAX_REPLY_BYTES, progressBar, utf8Bytes } from '../../text/markdown';
import type { Models } from '../../db/models';
import { formatDay } from '../../services/beijing-time';
import type { WorkingCalendar } from '../../services/calendar';
import { meanProgress, type Figures } from '../../services/figures';
import type { Headline } from '../../services/headline';
import { weekPeriod } from '../../services/period';
import { formatScore, partText, SCORE_PART_NAMES, SCORE_PARTS, type ScoreWeights } from '../../services/score';
import { rankChange } from '../../services/snapshots';
import { openMilestones, type Yard } from '../../services/status-card/milestones';

export interface CardOptions {
  now: Date;
  calendar: WorkingCalendar;
  weights?: ScoreWeights;
  /** 1-based page of a long card. */
  page?: number;
  /** The command line that shows the next page, without the page number: `/查询 东方花园`. */
  moreCommand: string;
  /** Push problems of the scope, for admins (see {@link pushProblems}); shown at the end. */
  problems?: string[];
}

export const rateText = (r: number | null) => (r === null ? '—' : `${r}%`);
export const hoursText = (h: number) => `${Number.isInteger(h) ? h : h.toFixed(1)}小时`;

export function orgsLine(o: Figures['orgs'], yards: number): string {
  const full = o.full === yards;
  return `三类组织：党组织 ${o.party}/${yards} · 自治组织 ${o.selfGov}/${yards} · 志愿队 ${o.volunteer}/${yards} · ${full ? font('info', '全覆盖') : font('warning', `全覆盖 ${o.full}/${yards}`)}`;
}

export function projectsLine(f: Figures): string {
  const p = f.projects;
  if (p.total === 0) return '整治项目：暂无';
  const late = f.overdue.project ? ` · ${font('warning', `逾期 ${f.overdue.project}`)}` : '';
  return `整治项目：${p.total} 个 · 已完成 ${p.done}${late}\n平均进度 ${progressBar(meanProgress(f)!)}`;
}

export function requestsLine(f: Figures): string {
  const r = f.requests;
  if (r.total === 0) return '民情诉求：暂无';
  const late = f.overdue.request ? ` · ${font('warning', `超期未反馈 ${f.overdue.request}`)}` : '';
  return [
    `民情诉求：${r.total} 件 · 未办结 ${r.total - r.closed}${late}`,
    `反馈率 ${rateText(r.feedbackRate)} · 办结率 ${rateText(r.completionRate)} · 满意率 ${rateText(r.satisfactionRate)}`,
  ].join('\n');
}

/** The published week's line and the running week's line. */
export function headlineLines(h: Headline, now: Date): string[] {
  const lines: string[] = [];
  const p = h.published;
  if (!p) lines.push(font('comment', '周排名尚未发布（每周一 9:00 推送后这里显示已发布的得分）'));
  else {
    const last = weekPeriod(now, -1).start.getTime() === p.snapshot.periodStart.getTime();
    const when = `${last ? '上周' : ''}（${p.label}${p.snapshot.version > 1 ? `，第${p.snapshot.version}版` : ''}）`;
    const arrow = rankChange({ rank: p.row.rank ?? 0, previousRank: p.row.previousRank, isNew: p.row.isNew });
    const place = p.row.rank !== undefined && p.of ? ` · ${p.peers}第 ${p.row.rank}/${p.of} 名` : '';
    lines.push(`${when}综合得分 ${bold(formatScore(p.row.score))}${place}${arrow ? ` ${arrow}` : ''}`);
  }
  const r = h.running.row;
  lines.push(font('comment', `${h.running.label}：${SCORE_PARTS.map((k) => `${SCORE_PART_NAMES[k]} ${partText(r, k)}`).join(' · ')}`));
  return lines;
}

/**
 * Paging options for a list whose next page is `command N`. paginate() sizes the footer by
 * its last page, which has no "next page" hint: the hint's room is kept aside here.
 */
export function pageFooter(command: string): { footer: (p: number, n: number) => string; maxBytes: number } {
  const hint = (p: number) => `，发送 \`${command} ${p}\` 看下一页`;
  return {
    footer: (p, n) => font('comment', `第 ${p}/${n} 页${p < n ? hint(p + 1) : ''}`),
    maxBytes: MAX_REPLY_BYTES - utf8Bytes(hint(999)),
  };
}

/** Milestones that reach a courtyard of `yards`, with how many of those courtyards have done each (as /节点 counts). */
export async function milestoneLines(models: Models, yards: Yard[], now: Date): Promise<string[]> {
  return (await openMilestones(models, yards, now)).map((m) => {
    const state = m.reached === 1 ? '未完成' : `完成 ${m.done}/${m.reached}`;
    const when = `${formatDay(m.deadline, now)}前`;
    return `${m.missed ? font('warning', `⚠ ${when}`) : when} ${escapeMarkdown(m.title)} · ${m.missed ? font('warning', state) : state}`;
  });
}
