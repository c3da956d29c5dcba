import { z } from 'zod';
import { arg } from '../src/bot/args';
import { defineCommand } from '../src/bot/define-command';
import { bold, escapeMarkdown, fitReply, font, quote } from '../src/bot/markdown';
import { allJobs } from '../jobs';
import { pushesByTarget } from '../src/jobs/describe-push';
import { createScheduler } from '../src/jobs/scheduler';
import { formatDateTime } from '../src/services/beijing-time';
import { UserError } from '../src/errors';

/** The jobs that push (the daily backup does not). */
const pushJobs = allJobs.filter((j) => j.build);
const titles = pushJobs.map((j) => j.title) as [string, ...string[]];
const synonyms = Object.fromEntries(
  pushJobs.flatMap((j) => [[j.name, j.title], ...(j.title === '周排名' ? [['排名', j.title]] : []), ...(j.title === '逾期' ? [['逾期提醒', j.title]] : []), ...(j.title === '月度评分' ? [['评分', j.title]] : [])]),
) as Record<string, string>;
const PREVIEW_WORDS = ['--预览', '预览', '--dry-run'];

/**
 * /推送 — runs a scheduled job now, as its fire at this minute would: the same dedupe keys,
 * so a repeat within the minute sends nothing twice, and an overdue item alerted today is
 * not alerted again. `--预览` shows what would go out without sending it.
 */
export default defineCommand({
  name: '推送',
  aliases: ['push'],
  summary: '立即推送周排名、逾期提醒、下沉提醒或月度评分（领导群，管理员）',
  allow: ['admin'],
  usage: ['/推送 周排名', '/推送 逾期 --预览', '/推送 下沉提醒', '/推送 月度评分'],
  args: z.object({ job: arg.choice('推送内容', titles, synonyms), preview: arg.word('预览').optional() }),
  keys: { 推送内容: 'job' },
  async run(ctx, { job: title, preview }) {
    if (preview && !PREVIEW_WORDS.includes(preview)) return ctx.fail(`「${preview}」看不懂：要预览请写 --预览`);
    await ctx.assertInScope({ district: true });
    if (ctx.group?.purpose !== 'leadership') throw new UserError('请在领导群里发送 /推送（先用 /绑定 领导群 绑定）');
    const dryRun = preview !== undefined;
    if (!dryRun && !ctx.outbox) throw new Error('/推送 needs the outbox');
    const scheduler = createScheduler({
      models: ctx.models,
      conn: ctx.models.Group.db,
      config: ctx.config,
      log: ctx.log,
      outbox: ctx.outbox ?? { enqueue: async () => 'duplicate' },
      calendar: ctx.calendar,
      now: () => ctx.now,
      timers: false,
    });
    const result = await scheduler.runNow(title, ctx.now, { dryRun });
    const name = bold(escapeMarkdown(title));
    if (result.pushes.length === 0) {
      return `${name}：现在没有要推送的内容（没有绑定推送地址的群，或今天已经提醒过）`;
    }
    const targets = pushesByTarget(result.pushes).map(([group, parts]) => `${escapeMarkdown(group)}：${parts.join('、')}`);
    const later = result.sendAt.getTime() > ctx.now.getTime() ? [font('warning', `现在不在推送时段（工作日 8:00–21:00），将于 ${formatDateTime(result.sendAt, ctx.now)} 发出`)] : [];
    if (dryRun) {
      const first = result.pushes.find((p) => p.payload.type === 'markdown');
      const sample = first && first.payload.type === 'markdown' ? ['', `发往 ${escapeMarkdown(first.targetName)} 的内容：`, quote(first.payload.content)] : [];
      return fitReply([`👀 ${name} 预览（未发送）：共 ${result.pushes.length} 条`, ...targets, ...later, ...sample].join('\n'));
    }
    const repeat = result.duplicate > 0 ? font('comment', `其中 ${result.duplicate} 条这一分钟内已推送过，不重复发送`) : '';
    return fitReply([`✅ ${name} 已加入发送队列：${result.queued} 条`, ...targets, ...later, repeat].filter(Boolean).join('\n'));
  },
});
