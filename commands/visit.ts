import { z } from 'zod';
import { arg, keyOnly } from '../src/bot/args';
import type { CommandContext } from '../src/bot/context';
import { defineCommand } from '../src/bot/define-command';
import { bold, escapeMarkdown, font } from '../src/text/markdown';
import type { CourtyardDoc } from '../src/db/models';
import { addBeijingDays, formatDay, startOfBeijingDay, startOfBeijingWeek } from '../src/services/beijing-time';
import { formatHours, VISIT_HOURS_PER_WEEK, weekOnSite } from '../src/services/visits';

/** At most this many activities, each at most this long: a line in chat, not a report. */
const MAX_ACTIVITIES = 10;
const MAX_ACTIVITY_LENGTH = 30;

/** The courtyard named, else the group's, else the caller's only assigned one. */
async function visitedCourtyard(ctx: CommandContext, given: CourtyardDoc | undefined): Promise<CourtyardDoc> {
  if (given) return given;
  if (ctx.defaultCourtyard) return ctx.defaultCourtyard;
  const mine = (await ctx.models.Courtyard.find({ _id: { $in: ctx.caller.courtyardIds } })).sort((a, b) => a.name.localeCompare(b.name, 'zh-Hans-CN'));
  if (mine.length === 1) return mine[0]!;
  if (mine.length === 0) return ctx.fail('请写明楼院（你还没有分包楼院）');
  return ctx.fail(`请写明楼院：你分包 ${mine.map((c) => c.name).join('、')}`);
}

/**
 * /下沉 — a cadre logs time on site (the duty: at least half a day a week, Monday–Sunday)
 * with what was done; the reply shows the week's total and whether the half day is met.
 */
export default defineCommand({
  name: '下沉',
  aliases: ['visit'],
  summary: '登记下沉楼院的时间和内容（每周至少半天）',
  allow: ['cadre'],
  usage: ['/下沉 半天 清理杂物 政策宣讲', '/下沉 3小时 征集意见 楼院=东方花园 日期=昨天'],
  args: z.object({
    hours: arg.duration('时长'),
    activities: arg.words('内容').optional(),
    courtyard: keyOnly(arg.courtyard().optional()),
    date: keyOnly(arg.date('日期', { past: true }).optional()),
  }),
  keys: { 时长: 'hours', 内容: 'activities', 楼院: 'courtyard', 日期: 'date' },
  async run(ctx, { hours, activities = [], courtyard: given, date }) {
    const courtyard = await visitedCourtyard(ctx, given);
    await ctx.assertInScope({ courtyard });
    const today = startOfBeijingDay(ctx.now);
    const day = date ?? today;
    const earliest = addBeijingDays(startOfBeijingWeek(ctx.now), -7);
    if (day < earliest) return ctx.fail(`只能补登本周和上周的下沉（${formatDay(earliest, ctx.now)} 以后）`);
    const done = [...new Set(activities)];
    if (done.length > MAX_ACTIVITIES) return ctx.fail(`内容最多写 ${MAX_ACTIVITIES} 项`);
    const tooLong = done.find((a) => a.length > MAX_ACTIVITY_LENGTH);
    if (tooLong) return ctx.fail(`每项内容最多 ${MAX_ACTIVITY_LENGTH} 字：「${tooLong.slice(0, 10)}…」太长`);
    const cadre = ctx.caller.cadre!;

    await ctx.audit.create(ctx.models.Visit, { cadre: cadre._id, courtyard: courtyard._id, street: courtyard.street, date: day, hours, activities: done });
    const week = await weekOnSite(ctx.models, cadre._id, day);
    const thisWeek = week.weekStart.getTime() === startOfBeijingWeek(ctx.now).getTime();
    const weekLabel = thisWeek ? '本周' : `${formatDay(week.weekStart, ctx.now)}那周`;
    const status = week.met
      ? font('info', `已满每周半天 ✅`)
      : font('warning', `还差 ${formatHours(VISIT_HOURS_PER_WEEK - week.hours)}满半天`);
    return [
      `✅ 已登记下沉：${bold(escapeMarkdown(cadre.name))} · ${escapeMarkdown(courtyard.name)} · ${formatDay(day, ctx.now)} · ${formatHours(hours)}`,
      `内容：${done.length ? escapeMarkdown(done.join('、')) : '未填写'}`,
      `${weekLabel}累计 ${bold(formatHours(week.hours))}（${week.visits} 次）· ${status}`,
    ].join('\n');
  },
});
