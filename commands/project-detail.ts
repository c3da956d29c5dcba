import { z } from 'zod';
import { arg } from '../src/bot/args';
import { defineCommand } from '../src/bot/define-command';
import { bold, escapeMarkdown, font, paginate } from '../src/text/markdown';
import type { CommandContext } from '../src/bot/context';
import { dashboardLink } from '../src/dashboard/link';
import { courtyardVisible, dashboardScopeOf } from '../src/dashboard/scope';
import type { CourtyardDoc } from '../src/db/models';
import { PermissionError } from '../src/errors';
import { formatDateTime, formatDay } from '../src/services/beijing-time';
import { canSee, chatVisibility, invisibleText } from '../src/services/chat-visibility';
import { projectHistory, type ProjectEvent } from '../src/services/project-corrections';
import { projectPhotoSummary } from '../src/services/photos';
import { cancelledText, projectCourtyard } from '../src/services/projects';
import { deadlineLine, projectCard } from '../src/render/projects';

/** One history entry as a chat line. */
function eventLine(e: ProjectEvent, now: Date): string {
  const head = `${formatDateTime(e.at, now)} ${escapeMarkdown(e.who)}`;
  switch (e.kind) {
    case 'created':
      return `${head} 新建公示`;
    case 'progress':
      return `${head} 进度 ${e.from}% → ${e.to}%${e.note ? `：${escapeMarkdown(e.note)}` : ''}`;
    case 'postponed':
      return `${head} 延期 ${formatDay(e.from, now)} → ${formatDay(e.to, now)}：${escapeMarkdown(e.reason)}`;
    case 'edited':
      return `${head} 修改 ${e.changes.map((c) => `${c.field} ${escapeMarkdown(c.from || '（空）')} → ${escapeMarkdown(c.to || '（空）')}`).join('；')}`;
    case 'completed':
      return `${head} 完成销号`;
    case 'cancelled':
      return `${head} ${font('warning', '取消')}${e.reason ? `：${escapeMarkdown(e.reason)}` : ''}`;
  }
}

/**
 * The photo evidence line: how many pictures are kept (整治前 / 整治后 dates) and, in a bound
 * group whose dashboard covers the courtyard, a link that opens its card on the dashboard.
 */
async function photoLine(ctx: CommandContext, projectId: CourtyardDoc['_id'], courtyard: CourtyardDoc): Promise<string> {
  const photos = await projectPhotoSummary(ctx.models, projectId);
  if (!photos?.count) return '照片：暂无（发送 `/照片 #编号` 后发图片，或在 /进度 消息里带上图片）';
  const dates = photos.first && photos.latest ? `，整治前 ${formatDay(photos.first, ctx.now)} · 整治后 ${formatDay(photos.latest, ctx.now)}` : '';
  const scope = dashboardScopeOf(ctx.scope);
  if (!ctx.group || !scope || !(ctx.scope.kind === 'district' || ctx.scope.kind === 'street' || ctx.scope.kind === 'courtyard') || !courtyardVisible(ctx.scope, courtyard)) {
    return `照片：${photos.count} 张${dates}（在本楼院的工作群发送 /看板 链接 查看）`;
  }
  const { url } = dashboardLink(ctx.config, scope, { groupId: String(ctx.group._id), generation: ctx.group.linkGeneration ?? 0 }, ctx.now);
  return `照片：${photos.count} 张${dates} · [在看板上查看](${url}&courtyard=${encodeURIComponent(photos.courtyardId)})`;
}

/**
 * /项目 详情 — the project's record (its published card) with its history: progress
 * reports, postponements, edits, completion or cancellation. For whoever may read the
 * project's courtyard here (src/services/chat-visibility.ts).
 */
export default defineCommand({
  name: '详情',
  aliases: ['detail', '查看', '历史'],
  summary: '项目详情和全部记录：进度、延期、修改、取消，照片张数',
  allow: 'anyone',
  usage: ['/项目 详情 #12', '/项目 详情 #12 2'],
  args: z.object({ project: arg.project(), page: arg.int('页码', { min: 1, max: 999 }).optional() }),
  keys: { 项目: 'project', 页码: 'page', 页: 'page' },
  async run(ctx, { project, page }) {
    const { models, now } = ctx;
    const courtyard = await projectCourtyard(models, project);
    if (!canSee(chatVisibility(ctx.caller, ctx.scope), { courtyard })) {
      throw new PermissionError(invisibleText(ctx.scope, Boolean(ctx.caller.cadre) || ctx.caller.roles.size > 0));
    }
    const history = await projectHistory(models, project);
    const header = [await projectCard(models, project, now), `状态：${project.status === '已取消' ? font('warning', escapeMarkdown(cancelledText(project, history.find((e) => e.kind === 'cancelled')?.who, now))) : `${project.status} · ${deadlineLine(project, now)}`}`];
    header.push(await photoLine(ctx, project._id, courtyard));
    header.push('', bold(`记录（${history.length} 条）`));
    return paginate({
      header,
      lines: history.map((e) => eventLine(e, now)),
      page,
      footer: (p, n) => (p < n ? `第 ${p}/${n} 页，下一页：\`/项目 详情 #${project.no} ${p + 1}\`` : `第 ${p}/${n} 页`),
    }).markdown;
  },
});
