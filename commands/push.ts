import { z } from 'zod';
import { arg } from '../src/bot/args';
import type { CommandContext } from '../src/bot/context';
import { defineCommand } from '../src/bot/define-command';
import { bold, escapeMarkdown, fitReply, font, quote } from '../src/text/markdown';
import { allJobs } from '../jobs';
import type { Job } from '../src/jobs/define-job';
import { pushesByTarget } from '../src/jobs/describe-push';
import { formatDateTime } from '../src/services/beijing-time';
import { monthPeriod, shortLabel, weekPeriod } from '../src/services/period';
import { formatScore } from '../src/services/score';
import { republishPeriod, rowsIn } from '../src/services/snapshots';
import { UserError } from '../src/errors';

/** The jobs that push (the daily backup does not). */
const pushJobs = allJobs.filter((j) => j.build);
const PREVIEW_WORDS = ['--预览', '预览', '--dry-run'];
/** Words also taken for a job, besides its English name. */
const SYNONYMS: Record<string, string[]> = { 周排名: ['排名'], 逾期: ['逾期提醒'], 月度评分: ['评分', '月排名'] };
const MAX_REASON = 200;

/** Pushes and re-publication happen in a leadership group, by a district admin. */
async function assertLeadershipGroup(ctx: CommandContext): Promise<void> {
  await ctx.assertInScope({ district: true });
  if (ctx.group?.purpose !== 'leadership') throw new UserError('请在领导群里发送 /推送（先用 /绑定 领导群 绑定）');
}

/**
 * `/推送 周排名` and the like: runs a scheduled job now, as its fire at this minute would —
 * the same dedupe keys, so a repeat within the minute sends nothing twice, and an overdue
 * item alerted today is not alerted again. A real run of a ranking publishes the period
 * (once; a later run pushes what was published); `--预览` shows what would go out and
 * publishes nothing.
 */
function jobCommand(job: Job) {
  return defineCommand({
    name: job.title,
    aliases: [job.name, ...(SYNONYMS[job.title] ?? [])],
    summary: job.publishes ? `发布并推送${job.title}（已发布的推送已发布的版本；--预览 只看不发、不发布）` : `立即推送${job.title}（--预览 只看不发）`,
    allow: ['admin'],
    usage: [`/推送 ${job.title}`, `/推送 ${job.title} --预览`],
    args: z.object({ preview: arg.word('预览').optional() }),
    async run(ctx, { preview }) {
      if (preview && !PREVIEW_WORDS.includes(preview)) return ctx.fail(`「${preview}」看不懂：要预览请写 --预览`);
      await assertLeadershipGroup(ctx);
      const dryRun = preview !== undefined;
      if (!ctx.jobs) throw new Error('/推送 needs the job runner (ctx.jobs)');
      if (!dryRun && !ctx.outbox) throw new Error('/推送 needs the outbox');
      const result = await ctx.jobs.runNow(job.name, ctx.now, { dryRun });
      const name = bold(escapeMarkdown(job.title));
      if (result.pushes.length === 0) {
        return `${name}：现在没有要推送的内容（没有绑定推送地址的群，或今天已经提醒过）`;
      }
      const targets = pushesByTarget(result.pushes).map(([group, parts]) => `${escapeMarkdown(group)}：${parts.join('、')}`);
      const later = result.sendAt.getTime() > ctx.now.getTime() ? [font('warning', `现在不在推送时段（工作日 8:00–21:00），将于 ${formatDateTime(result.sendAt, ctx.now)} 发出`)] : [];
      if (dryRun) {
        const first = result.pushes.find((p) => p.payload.type === 'markdown');
        const sample = first && first.payload.type === 'markdown' ? ['', `发往 ${escapeMarkdown(first.targetName)} 的内容：`, quote(first.payload.content)] : [];
        return fitReply([`👀 ${name} 预览（未发送，未发布）：共 ${result.pushes.length} 条`, ...targets, ...later, ...sample].join('\n'));
      }
      const repeat = result.duplicate > 0 ? font('comment', `其中 ${result.duplicate} 条这一分钟内已推送过，不重复发送`) : '';
      return fitReply([`✅ ${name} 已加入发送队列：${result.queued} 条`, ...targets, ...later, repeat].filter(Boolean).join('\n'));
    },
  });
}

/**
 * `/推送 重新发布 上周 原因=…`: publishes a period again as a new version, computed from the
 * records as they stand now (a late record, a correction), with its reason; the old version
 * stays readable (`/排名 上周 第1版`) and the change is in the audit log.
 */
const republish = defineCommand({
  name: '重新发布',
  aliases: ['republish', '更正'],
  summary: '更正已发布的周排名或月度排名：按现有记录重新计算，发布新版本（须写原因，旧版本保留）',
  allow: ['admin'],
  usage: ['/推送 重新发布 上周 原因=补录了下沉记录', '/推送 重新发布 上月 原因=…'],
  args: z.object({ period: arg.choice('时段', ['上周', '上月'], { 上个月: '上月' }), reason: arg.text('原因').optional() }),
  keys: { 时段: 'period', 原因: 'reason' },
  async run(ctx, { period: word, reason }) {
    await assertLeadershipGroup(ctx);
    const why = reason?.trim();
    if (!why) return ctx.fail('请写明重新发布的原因，如 原因=补录了下沉记录');
    if ([...why].length > MAX_REASON) return ctx.fail(`原因不超过 ${MAX_REASON} 个字`);
    const period = word === '上周' ? weekPeriod(ctx.now, -1) : monthPeriod(ctx.now, -1);
    const result = await republishPeriod(ctx.models, ctx.audit, {
      period,
      weights: ctx.config.scoreWeights,
      now: ctx.now,
      by: ctx.caller.userId,
      byName: ctx.caller.name,
      reason: why,
    });
    if (result.kind === 'not-published') throw new UserError(`${word}（${shortLabel(period)}）的排名还没有发布，无需重新发布；发布：\`/推送 ${word === '上周' ? '周排名' : '月度评分'}\``);
    if (result.kind === 'raced') throw new UserError(`刚刚已有人重新发布了${word}的排名（第${result.snapshot.version}版），请先查看：\`/排名 ${word}\``);
    const { snapshot, before } = result;
    const old = new Map(rowsIn(before, 'street').map((r) => [r.id, r]));
    const changed = rowsIn(snapshot, 'street').map((r) => {
      const o = old.get(r.id);
      const moved = o && (o.rank !== r.rank || o.score !== r.score) ? `（原 第${o.rank}名 ${formatScore(o.score)}）` : o ? '' : '（新）';
      return `${r.rank}. ${escapeMarkdown(r.name)} ${bold(formatScore(r.score))}${moved}`;
    });
    return fitReply(
      [
        `✅ 已重新发布 ${word}（${shortLabel(period)}）排名：第${snapshot.version}版`,
        font('comment', `原因：${escapeMarkdown(why)} · 第${before.version}版仍可查看：/排名 ${word} 第${before.version}版`),
        bold('各街道综合得分'),
        ...changed,
        font('comment', `通知领导群：\`/推送 ${word === '上周' ? '周排名' : '月度评分'}\``),
      ].join('\n'),
    );
  },
});

/** /推送 — runs a scheduled push now (领导群, 区级管理员), or re-publishes a period's ranking. */
export default defineCommand({
  name: '推送',
  aliases: ['push'],
  summary: '立即推送周排名、逾期提醒、下沉提醒或月度评分；更正已发布的排名（领导群，管理员）',
  subcommands: [...pushJobs.map(jobCommand), republish],
});
