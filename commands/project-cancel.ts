import { z } from 'zod';
import { arg } from '../src/bot/args';
import { defineCommand } from '../src/bot/define-command';
import { bold, escapeMarkdown, font, progressBar } from '../src/text/markdown';
import { cancelProject } from '../src/services/project-corrections';
import { assertAdminOrOwner, projectCourtyard } from '../src/services/projects';

/**
 * /项目 取消 — a project published by mistake (mistyped, a duplicate) or dropped. Like a
 * postponement, it moves a commitment: an admin covering the courtyard, or the owner. From
 * the cancellation on it counts in no score, figure or overdue list (src/services/counted.ts);
 * the record stays, listed as 已取消, with who, when and why (/项目 详情).
 */
export default defineCommand({
  name: '取消',
  aliases: ['cancel', '撤项'],
  summary: '取消项目（管理员或项目责任人；须写原因；此后不计入得分和逾期，记录保留）',
  allow: ['admin', 'cadre'],
  usage: ['/项目 取消 #12 原因=重复录入'],
  args: z.object({ project: arg.project(), reason: arg.text('原因') }),
  keys: { 项目: 'project', 原因: 'reason', 理由: 'reason' },
  async run(ctx, { project, reason }) {
    const courtyard = await projectCourtyard(ctx.models, project);
    await assertAdminOrOwner(ctx, courtyard, project.owner);
    const done = await cancelProject(ctx, project, reason);
    return [
      `✅ 已取消项目 #${done.no} ${bold(escapeMarkdown(done.title))} · ${escapeMarkdown(courtyard.name)}`,
      `原因：${escapeMarkdown(done.cancelReason ?? reason)}`,
      `取消时进度：${progressBar(done.percent)}`,
      font('comment', `此后不计入得分、逾期和项目统计；记录保留，发送 \`/项目 详情 #${done.no}\` 查看`),
    ].join('\n');
  },
});
