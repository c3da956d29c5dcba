import { z } from 'zod';
import { arg, keyOnly } from '../src/bot/args';
import { defineCommand } from '../src/bot/define-command';
import { bold, escapeMarkdown, font } from '../src/text/markdown';
import { PROJECT_CATEGORIES, TASK_AREAS } from '../src/db/models';
import { editProject } from '../src/services/project-corrections';
import { AREA_SYNONYMS, CATEGORY_SYNONYMS, projectCourtyard } from '../src/services/projects';

/**
 * /项目 修改 — corrects what was published: title, standard, owner, category, task area,
 * courtyard. Admins covering the courtyard (and the one it moves to). Each field changed is
 * kept (old → new, who, when). The deadline is not edited here: it moves only by /项目 延期,
 * with its reason, so the on-time rate keeps the original deadline.
 */
export default defineCommand({
  name: '修改',
  aliases: ['edit', '更正'],
  summary: '修改项目的标题、标准、责任人、类别、领域、楼院（管理员；每项修改留痕；改截止请用 /项目 延期）',
  allow: ['admin'],
  usage: ['/项目 修改 #12 责任人=李四', '/项目 修改 #12 标题=楼道照明改造 标准=每层有灯 类别=工程 楼院=陇海安居'],
  args: z.object({
    project: arg.project(),
    title: keyOnly(arg.word('标题').optional()),
    standard: keyOnly(arg.text('标准').optional()),
    owner: keyOnly(arg.person('责任人').optional()),
    category: keyOnly(arg.choice('类别', PROJECT_CATEGORIES, CATEGORY_SYNONYMS).optional()),
    area: keyOnly(arg.choice('领域', TASK_AREAS, AREA_SYNONYMS).optional()),
    courtyard: keyOnly(arg.courtyard().optional()),
    deadline: keyOnly(arg.word('截止').optional()),
  }),
  keys: {
    项目: 'project',
    标题: 'title',
    内容: 'title',
    名称: 'title',
    标准: 'standard',
    整治标准: 'standard',
    责任人: 'owner',
    负责人: 'owner',
    类别: 'category',
    类型: 'category',
    领域: 'area',
    任务: 'area',
    楼院: 'courtyard',
    截止: 'deadline',
    截止日期: 'deadline',
    完成时限: 'deadline',
    时限: 'deadline',
    新截止: 'deadline',
  },
  async run(ctx, { project, deadline, ...fields }) {
    if (deadline !== undefined) {
      ctx.fail(`完成时限不在这里改：请用 \`/项目 延期 #${project.no} 新日期 原因=…\`（须写原因，原定时限保留备查）`);
    }
    if (Object.values(fields).every((v) => v === undefined)) {
      ctx.fail('请写要改的内容，如 `责任人=李四`；可改：标题、标准、责任人、类别、领域、楼院');
    }
    const courtyard = await projectCourtyard(ctx.models, project);
    await ctx.assertInScope({ courtyard });
    if (fields.courtyard) await ctx.assertInScope({ courtyard: fields.courtyard });
    const { project: edited, changes } = await editProject(ctx, project, fields);
    return [
      `✏️ 已修改项目 #${edited.no} ${bold(escapeMarkdown(edited.title))}`,
      ...changes.map((c) => `- ${c.field}：${c.from ? escapeMarkdown(c.from) : font('comment', '未填写')} → ${c.to ? escapeMarkdown(c.to) : font('comment', '未填写')}`),
      font('comment', `修改已记录，发送 \`/项目 详情 #${edited.no}\` 查看历史`),
    ].join('\n');
  },
});
