import { z } from 'zod';
import { userArg } from '../src/bot/args';
import type { CommandContext } from '../src/bot/context';
import { defineCommand } from '../src/bot/define-command';
import { bold, escapeMarkdown, font } from '../src/bot/markdown';
import { PermissionError, UserError } from '../src/errors';
import { chatVisibility, invisibleText } from '../src/services/chat-visibility';
import { formatDay } from '../src/services/beijing-time';
import { computeRanking, monthPeriod, weekPeriod, type Period, type RankLevel, type RankRow } from '../src/services/ranking';

const LEVELS: Record<string, RankLevel> = {
  街道: 'street', 街办: 'street', 办事处: 'street', street: 'street', streets: 'street',
  楼院: 'courtyard', 院: 'courtyard', 小区: 'courtyard', courtyard: 'courtyard', courtyards: 'courtyard',
  干部: 'cadre', 分包干部: 'cadre', cadre: 'cadre', cadres: 'cadre',
};
type PeriodWord = '本周' | '上周' | '本月' | '上月';
const PERIODS: Record<string, PeriodWord> = { 本周: '本周', 这周: '本周', 上周: '上周', 本月: '本月', 这个月: '本月', 上月: '上月', 上个月: '上月' };
const COMPARED: Record<PeriodWord, string> = { 本周: '与上周比', 上周: '与前一周比', 本月: '与上月比', 上月: '与前一月比' };
const LEVEL_NAMES: Record<RankLevel, string> = { street: '街道', courtyard: '楼院', cadre: '干部' };
/** All rows are shown up to this many; beyond, the top and bottom TOP_BOTTOM. */
const SHOW_ALL_UP_TO = 12;
const TOP_BOTTOM = 5;

type Word = { level: RankLevel } | { period: PeriodWord };

/** `街道` / `楼院` / `干部` or `本周` / `上周` / `本月` / `上月`, in either order. */
const rankWord = () =>
  userArg('范围或时段', (text): Word => {
    const t = text.toLowerCase();
    if (LEVELS[t]) return { level: LEVELS[t] };
    if (PERIODS[t]) return { period: PERIODS[t] };
    throw new UserError(`「${text}」应为 街道、楼院、干部 或 本周、上周、本月、上月`);
  });

function periodOf(word: PeriodWord, now: Date): Period {
  if (word === '本周') return weekPeriod(now);
  if (word === '上周') return weekPeriod(now, -1);
  if (word === '本月') return monthPeriod(now);
  return monthPeriod(now, -1);
}

/** Which street offices, courtyards or cadres to rank, from the group's scope (or the caller's, in a 1:1 chat). */
async function rankScope(ctx: CommandContext, level: RankLevel | undefined): Promise<{ level: RankLevel; streetId?: string; courtyardId?: string; label: string }> {
  const { scope, caller } = ctx;
  if (scope.kind === 'courtyard') {
    const c = scope.courtyard;
    const lvl = level ?? 'cadre';
    if (lvl === 'cadre') return { level: lvl, courtyardId: String(c._id), label: c.name };
    if (lvl === 'courtyard') return { level: lvl, streetId: String(c.street), label: scope.street?.name ?? '本街道' };
    return { level: lvl, label: '全区' };
  }
  let streetId: string | undefined;
  let label = '全区';
  if (scope.kind === 'street') {
    streetId = String(scope.street._id);
    label = scope.street.name;
  } else if (scope.kind === 'none' && caller.roleScope.kind === 'street' && (caller.roles.has('admin') || caller.roles.has('leader'))) {
    const street = await ctx.models.Street.findById(caller.roleScope.street);
    if (street) [streetId, label] = [String(street._id), street.name];
  }
  const lvl = level ?? (streetId ? 'courtyard' : 'street');
  // Street offices are always ranked across the district.
  if (lvl === 'street') return { level: lvl, label: '全区' };
  return { level: lvl, streetId, label };
}

function arrow(row: RankRow): string {
  if (row.previousRank === undefined) return font('comment', '新');
  const d = row.previousRank - row.rank;
  if (d > 0) return font('info', `↑${d}`);
  if (d < 0) return font('warning', `↓${-d}`);
  return font('comment', '→');
}

function rowLine(row: RankRow, level: RankLevel, highlight?: string): string {
  const extra = level === 'cadre' ? (row.unit ? `（${escapeMarkdown(row.unit)}）` : '') : level === 'courtyard' && row.streetName ? font('comment', ` ${escapeMarkdown(row.streetName)}`) : '';
  const name = row.id === highlight ? bold(escapeMarkdown(row.name)) : escapeMarkdown(row.name);
  const late = row.overdue ? ` · ${font('warning', `逾期${row.overdue}`)}` : '';
  return `${row.rank}. ${name}${extra} ${bold(row.score.toFixed(1))} ${arrow(row)}${late}`;
}

/**
 * /排名 — the campaign score ranking on demand (src/services/ranking.ts): street offices,
 * courtyards or cadres, this week, last week or a month, with the change against the period
 * before. The level defaults to the one below the group's scope.
 */
export default defineCommand({
  name: '排名',
  aliases: ['rank'],
  summary: '查看街道、楼院或干部的得分排名（本周、上周、本月）',
  allow: 'anyone',
  usage: ['/排名', '/排名 楼院 上周', '/排名 街道 本月', '/排名 干部'],
  args: z.object({ first: rankWord().optional(), second: rankWord().optional() }),
  keys: { 范围: 'first', 时段: 'second' },
  async run(ctx, { first, second }) {
    const words = [first, second].filter((w): w is Word => w !== undefined);
    const levels = words.flatMap((w) => ('level' in w ? [w.level] : []));
    const periods = words.flatMap((w) => ('period' in w ? [w.period] : []));
    if (levels.length > 1) return ctx.fail('只能写一个范围：街道、楼院或干部');
    if (periods.length > 1) return ctx.fail('只能写一个时段：本周、上周、本月或上月');
    const periodWord = periods[0] ?? '本周';
    const period = periodOf(periodWord, ctx.now);
    const where = await rankScope(ctx, levels[0]);
    // Outside a bound group, courtyards' and cadres' rows are for those whose scope is the
    // district (src/services/chat-visibility.ts); street offices are published to all.
    if (ctx.scope.kind === 'none' && where.level !== 'street' && !where.streetId && !chatVisibility(ctx.caller, ctx.scope).district) {
      throw new PermissionError(invisibleText(ctx.scope, Boolean(ctx.caller.cadre) || ctx.caller.roles.size > 0));
    }
    const rows = await computeRanking(ctx.models, {
      level: where.level,
      period,
      streetId: where.streetId,
      courtyardId: where.courtyardId,
      calendar: ctx.calendar,
      weights: ctx.config.scoreWeights,
      now: ctx.now,
    });

    const title = bold(`🏆 ${escapeMarkdown(where.label)} · ${LEVEL_NAMES[where.level]}排名`);
    const running = period.end > ctx.now ? `，截至${formatDay(ctx.now, ctx.now)}` : '';
    const lines = [title, font('comment', `${periodWord}（${period.label}${running}）· ${COMPARED[periodWord]}`)];
    if (rows.length === 0) {
      lines.push(where.level === 'cadre' ? '这里还没有分包干部' : '这里还没有可排名的楼院');
      return lines.join('\n');
    }
    // In a courtyard's group, its own row stands out.
    const highlight = ctx.scope.kind === 'courtyard' ? String(ctx.scope.courtyard._id) : undefined;
    if (rows.length <= SHOW_ALL_UP_TO) {
      lines.push(...rows.map((r) => rowLine(r, where.level, highlight)));
    } else {
      lines.push(bold(`前 ${TOP_BOTTOM} 名`), ...rows.slice(0, TOP_BOTTOM).map((r) => rowLine(r, where.level, highlight)));
      lines.push(bold(`后 ${TOP_BOTTOM} 名`), ...rows.slice(-TOP_BOTTOM).map((r) => rowLine(r, where.level, highlight)));
      const mine = highlight ? rows.find((r) => r.id === highlight) : undefined;
      if (mine && mine.rank > TOP_BOTTOM && !rows.slice(-TOP_BOTTOM).includes(mine)) lines.push(font('comment', '本楼院：'), rowLine(mine, where.level, highlight));
      lines.push(font('comment', `共 ${rows.length} 个`));
    }
    lines.push(font('comment', '得分：进度、按时完成、诉求办理、干部下沉、三类组织加权，满分100'));
    return lines.join('\n');
  },
});
