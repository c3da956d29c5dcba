/**
 * A project in words: its deadline, its completion and its published card (公示). The data
 * and the decisions (days left, on time, what the card names) are src/services/projects.ts's.
 */
import { bold, escapeMarkdown, font, progressBar } from '../text/markdown';
import type { Models, Project, ProjectDoc } from '../db/models';
import { formatDay } from '../services/beijing-time';
import { CANCELLED } from '../services/counted';
import { AREA_LABELS, CATEGORY_LABELS, daysUntil, onTime, originalDeadline, projectCardFacts, type ProjectCardFacts } from '../services/projects';

/** `还有 4 天`, `今天到期`, `逾期 3 天` (the last in warning colour). */
export function deadlineText(deadline: Date, now: Date): string {
  const days = daysUntil(deadline, now);
  if (days > 0) return `还有 ${days} 天`;
  if (days === 0) return '今天到期';
  return font('warning', `逾期 ${-days} 天`);
}

/** `已完成 9月18日（按时）` / `已完成 9月22日（逾期 2 天）`, against the deadline in force. */
export function completionText(p: Pick<Project, 'deadline' | 'postponements' | 'completedAt'>, now: Date): string {
  if (!p.completedAt) return '已完成';
  const late = p.deadline && !onTime(p.deadline, p.completedAt) ? -daysUntil(p.deadline, p.completedAt) : 0;
  const timing = late > 0 ? font('warning', `逾期 ${late} 天`) : '按时';
  return `已完成 ${formatDay(p.completedAt, now)}（${timing}）`;
}

/** The lines under a completion: the full bar, the deadline in force, and the original one when postponed. */
export function completionDetails(p: ProjectDoc, now: Date): string[] {
  const lines = [progressBar(100)];
  if (p.deadline) lines.push(`完成时限：${formatDay(p.deadline, now)}`);
  if (p.postponements.length) lines.push(font('comment', `原定 ${formatDay(originalDeadline(p)!, now)}，延期 ${p.postponements.length} 次`));
  return lines;
}

/** `截止 9月20日 · 还有 4 天`, or how it was completed; postponements noted. */
export function deadlineLine(p: ProjectDoc, now: Date): string {
  const parts: string[] = [];
  if (p.status === '已完成') parts.push(completionText(p, now));
  else if (p.status === CANCELLED) parts.push('已取消');
  else if (p.deadline) parts.push(`截止 ${formatDay(p.deadline, now)}`, deadlineText(p.deadline, now));
  else parts.push('未定截止日期');
  if (p.postponements.length) parts.push(`延期 ${p.postponements.length} 次（原定 ${formatDay(originalDeadline(p)!, now)}）`);
  return parts.join(' · ');
}

/** The published card (公示) of a project: number, title, courtyard, category, standard, owner, deadline, progress. */
export function formatProjectCard(p: ProjectDoc, facts: ProjectCardFacts, now: Date): string {
  const { courtyard, owner } = facts;
  const kind = [CATEGORY_LABELS[p.category], p.area ? AREA_LABELS[p.area] : undefined].filter(Boolean).join(' · ');
  const where = courtyard ? `${courtyard.name}${courtyard.street !== undefined ? `（${courtyard.street}）` : ''}` : '?';
  return [
    `${bold(`#${p.no} ${escapeMarkdown(p.title)}`)}`,
    `楼院：${escapeMarkdown(where)}`,
    `类别：${kind}`,
    `整治标准：${p.standard ? escapeMarkdown(p.standard) : font('comment', '未填写')}`,
    `责任人：${owner ? escapeMarkdown(`${owner.name}（${owner.unit}）`) : font('comment', '未指定')}`,
    `完成时限：${p.deadline ? `${formatDay(p.deadline, now)}（${p.status === '已完成' ? completionText(p, now) : deadlineText(p.deadline, now)}）` : '未定'}`,
    `进度：${progressBar(p.percent)}`,
  ].join('\n');
}

/** The card of `p`, its courtyard and owner read first (see {@link projectCardFacts}). */
export async function projectCard(models: Models, p: ProjectDoc, now: Date): Promise<string> {
  return formatProjectCard(p, await projectCardFacts(models, p), now);
}
