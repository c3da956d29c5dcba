import { z } from 'zod';
import { arg } from '../src/bot/args';
import { defineCommand } from '../src/bot/define-command';
import { bold, escapeMarkdown, font, progressBar } from '../src/text/markdown';
import { MAX_STANDARD_CHARS, assertOpen, projectCourtyard, recordProgress } from '../src/services/projects';
import { completionDetails, completionText, deadlineLine } from '../src/render/projects';

/**
 * /进度 — a progress report on a project (按表推进): the new percentage and what was done.
 * Each report is kept (the weekly table's history); 100% (`完成`) completes the project; a
 * lower percentage than before must say why and is flagged.
 */
export default defineCommand({
  name: '进度',
  aliases: ['progress'],
  summary: '报告项目进度（100% 或「完成」即销号）',
  allow: ['cadre', 'admin'],
  usage: ['/进度 #12 80% 主路已硬化', '/进度 #12 完成 已通过验收', '/进度 路面硬化 60%'],
  args: z.object({ project: arg.project(), percent: arg.percent(), note: arg.text('说明').optional() }),
  keys: { 项目: 'project', 进度: 'percent', 说明: 'note', 备注: 'note' },
  async run(ctx, { project, percent, note }) {
    const { models, now } = ctx;
    const courtyard = await projectCourtyard(models, project);
    await ctx.assertInScope({ courtyard, owner: project.owner });
    await assertOpen(models, project, now);
    if (note && [...note].length > MAX_STANDARD_CHARS) ctx.fail(`说明不超过 ${MAX_STANDARD_CHARS} 个字`);
    const before = project.percent;
    if (percent < before && !note) {
      ctx.fail(`#${project.no} 上次报的是 ${before}%，这次更低，请写明原因，如 \`/进度 #${project.no} ${percent}% 返工重做\``);
    }

    const { project: updated, completed } = await recordProgress(ctx, project, courtyard, percent, note ?? '');
    const title = `#${updated.no} ${bold(escapeMarkdown(updated.title))}`;
    const delta = percent - before;
    const lines = completed
      ? [`🎉 ${title} ${completionText(updated, now)}`, ...completionDetails(updated, now)]
      : [`✅ ${title} 进度已更新`, `${progressBar(percent)}（上次 ${before}%${delta > 0 ? `，+${delta}%` : ''}）`];
    if (delta < 0) lines.push(font('warning', `⚠️ 进度回退：${before}% → ${percent}%`));
    if (note) lines.push(`说明：${escapeMarkdown(note)}`);
    if (!completed) lines.push(deadlineLine(updated, now));
    return lines.join('\n');
  },
});
