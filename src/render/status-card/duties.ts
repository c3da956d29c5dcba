/** One person's duties this week. */
import type { Types } from 'mongoose';
import { bold, escapeMarkdown, font, paginate, progressBar, type Page } from '../../text/markdown';
import type { CadreDoc, Models } from '../../db/models';
import { formatDateTime, formatDay } from '../../services/beijing-time';
import { isProjectLate, isRequestLate } from '../../services/overdue';
import { VISIT_HOURS_PER_WEEK } from '../../services/score';
import { dutiesFacts } from '../../services/status-card/duties';
import { hoursText, pageFooter, type CardOptions } from './shared';

/** What `cadre` owes this week: projects due or late, requests waiting for them, the half day. */
export async function myDutiesCard(models: Models, cadre: CadreDoc, opts: CardOptions): Promise<Page> {
  const { now } = opts;
  const { projects, requests, hours, yards: yardDocs } = await dutiesFacts(models, cadre, now);
  const yardName = new Map(yardDocs.map((y) => [String(y._id), y.name]));
  const several = yardDocs.length > 1;
  const where = (id: Types.ObjectId) => (several ? font('comment', ` · ${escapeMarkdown(yardName.get(String(id)) ?? '')}`) : '');

  const header = [
    bold(`📌 ${escapeMarkdown(cadre.name)} 本周待办`),
    font('comment', `分包楼院：${yardDocs.length ? yardDocs.map((y) => escapeMarkdown(y.name)).join('、') : '无'}`),
    hours >= VISIT_HOURS_PER_WEEK
      ? `下沉：${font('info', `✅ 本周已下沉 ${hoursText(hours)}`)}`
      : `下沉：${font('warning', `⚠ 本周${hours ? `仅 ${hoursText(hours)}` : '尚未下沉'}，至少半天（${VISIT_HOURS_PER_WEEK}小时）`)} · 发送 \`/下沉 半天 清理杂物\``,
  ];
  const lines: string[] = [];
  lines.push(projects.length ? bold(`项目（本周到期或已逾期 ${projects.length}）：`) : '项目：本周没有到期的项目');
  for (const p of projects) {
    const late = isProjectLate(p, now);
    const due = `截止${formatDay(p.deadline!, now)}`;
    lines.push(`#${p.no} ${escapeMarkdown(p.title)} ${progressBar(p.percent)} · ${late ? font('warning', `${due} 已逾期`) : due}${where(p.courtyard)}`);
  }
  lines.push(requests.length ? bold(`诉求（待处理 ${requests.length}）：`) : '诉求：没有待处理的诉求');
  for (const r of requests) {
    const step = r.status === '点单' ? '待接单' : r.status === '已接单' ? '待反馈' : '待办结';
    const late = isRequestLate(r, now);
    const due = r.status === '已反馈' ? '' : ` · ${late ? font('warning', `反馈已超期（${formatDateTime(r.dueAt, now)}）`) : `反馈期限 ${formatDay(r.dueAt, now)}`}`;
    lines.push(`#${r.no} ${escapeMarkdown([...r.text].slice(0, 30).join(''))} · ${step}${due}${where(r.courtyard)}`);
  }
  return paginate({ header, lines, page: opts.page, ...pageFooter(opts.moreCommand) });
}
