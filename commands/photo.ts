import { z } from 'zod';
import { arg } from '../src/bot/args';
import { defineCommand } from '../src/bot/define-command';
import { bold, escapeMarkdown } from '../src/text/markdown';
import { projectCourtyard } from '../src/services/projects';
import { openPhotoWindow, PHOTO_WINDOW_MS } from '../src/services/photos';

/**
 * /照片 — the next picture the sender sends in this chat (within 10 minutes) goes to a
 * project's timeline (整治前 / 整治后 on the dashboard), without a progress report. Pictures
 * sent with the command itself (a mixed message) go there too.
 */
export default defineCommand({
  name: '照片',
  aliases: ['photo'],
  summary: '把接下来发的一张照片关联到项目（整治前后对比）',
  allow: ['cadre', 'admin'],
  usage: ['/照片 #12'],
  args: z.object({ project: arg.project() }),
  keys: { 项目: 'project' },
  async run(ctx, { project }) {
    const courtyard = await projectCourtyard(ctx.models, project);
    await ctx.assertInScope({ courtyard, owner: project.owner });
    // A finished project still takes pictures: 整治后 is taken once the work is done.
    if (project.status === '已取消') return ctx.fail(`项目 #${project.no} ${project.title} 已取消`);
    await openPhotoWindow(
      ctx.models,
      ctx.msg,
      { courtyard: courtyard._id, project: project._id, record: { kind: 'Project', id: project._id }, label: `#${project.no} ${project.title}` },
      ctx.now,
    );
    return [
      `📷 请在 ${PHOTO_WINDOW_MS / 60_000} 分钟内发送照片，将关联到 #${project.no} ${bold(escapeMarkdown(project.title))}（${escapeMarkdown(courtyard.name)}）`,
      '整治前、整治后的照片会在看板的楼院卡片上并排显示。',
    ].join('\n');
  },
});
