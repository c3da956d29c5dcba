import { z } from 'zod';
import { userArg } from '../src/bot/args';
import type { CommandContext } from '../src/bot/context';
import { defineCommand } from '../src/bot/define-command';
import { bold, escapeMarkdown, font } from '../src/text/markdown';
import { PermissionError, UserError } from '../src/errors';
import { chatVisibility, invisibleText } from '../src/services/chat-visibility';
import { formatDateTime, formatDay } from '../src/services/beijing-time';
import { monthPeriod, shortLabel, weekPeriod, type Period } from '../src/services/period';
import { computeRanking, type RankLevel, type RankRow } from '../src/services/ranking';
import { callerScope, scopeLabel, type ScopeRef } from '../src/services/scope';
import { formatScore } from '../src/services/score';
import { findSnapshot, latestSnapshot, publishedRanking, rankChange, snapshotPeriod } from '../src/services/snapshots';

const LEVELS: Record<string, RankLevel> = {
  街道: 'street', 街办: 'street', 办事处: 'street', street: 'street', streets: 'street',
  楼院: 'courtyard', 院: 'courtyard', 小区: 'courtyard', courtyard: 'courtyard', courtyards: 'courtyard',
  干部: 'cadre', 分包干部: 'cadre', cadre: 'cadre', cadres: 'cadre',
};
type PeriodWord = '本周' | '上周' | '本月' | '上月';
const PERIODS: Record<string, PeriodWord> = { 本周: '本周', 这周: '本周', 上周: '上周', 本月: '本月', 这个月: '本月', 上月: '上月', 上个月: '上月' };
const LEVEL_NAMES: Record<RankLevel, string> = { street: '街道', courtyard: '楼院', cadre: '干部' };
/** All rows are shown up to this many; beyond, the top and bottom TOP_BOTTOM. */
const SHOW_ALL_UP_TO = 12;
const TOP_BOTTOM = 5;

type Word = { level: RankLevel } | { period: PeriodWord } | { version: number };

/** `街道` / `楼院` / `干部`, `本周` / `上周` / `本月` / `上月`, or `第2版`, in any order. */
const rankWord = () =>
  userArg('范围或时段', (text): Word => {
    const t = text.toLowerCase();
    if (LEVELS[t]) return { level: LEVELS[t] };
    if (PERIODS[t]) return { period: PERIODS[t] };
    const version = /^第?(\d{1,3})版$/.exec(t);
    if (version) return { version: Number(version[1]) };
    throw new UserError(`「${text}」应为 街道、楼院、干部，本周、上周、本月、上月，或 第2版 这样的版本`);
  });

function periodOf(word: PeriodWord, now: Date): Period {
  if (word === '本周') return weekPeriod(now);
  if (word === '上周') return weekPeriod(now, -1);
  if (word === '本月') return monthPeriod(now);
  return monthPeriod(now, -1);
}

/** Which street offices, courtyards or cadres to rank, from the scope the caller looks after. */
async function rankScope(ctx: CommandContext, level: RankLevel | undefined): Promise<{ level: RankLevel; ref: ScopeRef; label: string }> {
  const place = (await callerScope(ctx.models, ctx)) ?? { kind: 'district' as const };
  if (place.kind === 'courtyard') {
    const c = place.courtyard;
    const lvl = level ?? 'cadre';
    if (lvl === 'cadre') return { level: lvl, ref: { courtyardId: String(c._id) }, label: c.name };
    if (lvl === 'courtyard') return { level: lvl, ref: { streetId: String(c.street) }, label: place.street?.name ?? '本街道' };
    return { level: lvl, ref: {}, label: '全区' };
  }
  const lvl = level ?? (place.kind === 'street' ? 'courtyard' : 'street');
  // Street offices are always ranked across the district.
  if (lvl === 'street' || place.kind === 'district') return { level: lvl, ref: {}, label: '全区' };
  return { level: lvl, ref: { streetId: String(place.street._id) }, label: scopeLabel(place) };
}

function arrow(row: RankRow): string {
  const change = rankChange(row);
  if (!change) return '';
  if (change.startsWith('↑')) return ` ${font('info', change)}`;
  if (change.startsWith('↓')) return ` ${font('warning', change)}`;
  return ` ${font('comment', change === '—' ? '→' : change)}`;
}

function rowLine(row: RankRow, level: RankLevel, highlight?: string): string {
  const extra = level === 'cadre' ? (row.unit ? `（${escapeMarkdown(row.unit)}）` : '') : level === 'courtyard' && row.streetName ? font('comment', ` ${escapeMarkdown(row.streetName)}`) : '';
  const name = row.id === highlight ? bold(escapeMarkdown(row.name)) : escapeMarkdown(row.name);
  const late = row.overdue ? ` · ${font('warning', `逾期${row.overdue}`)}` : '';
  return `${row.rank}. ${name}${extra} ${bold(formatScore(row.score))}${arrow(row)}${late}`;
}

/**
 * /排名 — the campaign score ranking (src/services/ranking.ts). A finished period (上周,
 * 上月, and by default the last week published) is what was published
 * (src/services/snapshots.ts), with its arrows; `第1版` shows an earlier version of a
 * corrected one. 本周 and 本月 are the running period so far, without arrows. The level
 * defaults to the one below the scope the caller looks after.
 */
export default defineCommand({
  name: '排名',
  aliases: ['rank'],
  summary: '查看街道、楼院或干部的得分排名（已发布的上周、上月，或进行中的本周、本月）',
  allow: 'anyone',
  usage: ['/排名', '/排名 楼院 上周', '/排名 街道 本月', '/排名 干部', '/排名 上周 第1版'],
  args: z.object({ first: rankWord().optional(), second: rankWord().optional(), third: rankWord().optional() }),
  keys: { 范围: 'first', 时段: 'second', 版本: 'third' },
  async run(ctx, { first, second, third }) {
    const words = [first, second, third].filter((w): w is Word => w !== undefined);
    const levels = words.flatMap((w) => ('level' in w ? [w.level] : []));
    const periods = words.flatMap((w) => ('period' in w ? [w.period] : []));
    const versions = words.flatMap((w) => ('version' in w ? [w.version] : []));
    if (levels.length > 1) return ctx.fail('只能写一个范围：街道、楼院或干部');
    if (periods.length > 1) return ctx.fail('只能写一个时段：本周、上周、本月或上月');
    if (versions.length > 1) return ctx.fail('只能写一个版本，如 第1版');
    const where = await rankScope(ctx, levels[0]);
    // Outside a bound group, courtyards' and cadres' rows are for those whose scope is the
    // district (src/services/chat-visibility.ts); street offices are published to all.
    if (ctx.scope.kind === 'none' && where.level !== 'street' && !where.ref.streetId && !where.ref.courtyardId && !chatVisibility(ctx.caller, ctx.scope).district) {
      throw new PermissionError(invisibleText(ctx.scope, Boolean(ctx.caller.cadre) || ctx.caller.roles.size > 0));
    }
    const title = bold(`🏆 ${escapeMarkdown(where.label)} · ${LEVEL_NAMES[where.level]}排名`);
    const periodWord = periods[0];
    if (versions.length && (periodWord === '本周' || periodWord === '本月')) return ctx.fail('进行中的本周、本月没有版本；版本用于已发布的上周、上月');

    let rows: RankRow[];
    let note: string[];
    if (periodWord === '本周' || periodWord === '本月' || (!periodWord && !versions.length && !(await latestSnapshot(ctx.models, 'week', ctx.now)))) {
      // The running period: figures so far, not ranked against what was published.
      const period = periodOf(periodWord ?? '本周', ctx.now);
      rows = await computeRanking(ctx.models, { level: where.level, period, ...where.ref, weights: ctx.config.scoreWeights, now: ctx.now });
      note = [font('comment', `${periodWord ?? '本周'}进行中（${shortLabel(period)}，截至${formatDay(ctx.now, ctx.now)}）· 尚未发布，不与已发布的排名比较`)];
    } else {
      const snapshot = periodWord
        ? await findSnapshot(ctx.models, periodOf(periodWord, ctx.now), versions[0])
        : versions.length
          ? await findSnapshot(ctx.models, weekPeriod(ctx.now, -1), versions[0])
          : await latestSnapshot(ctx.models, 'week', ctx.now);
      if (!snapshot) {
        const word = periodWord ?? '上周';
        if (versions.length) throw new UserError(`${word}的排名没有第${versions[0]}版`);
        return `${title}\n${word}的排名尚未发布（${word === '上月' ? '每月 1 日' : '每周一'} 9:00 随推送发布，发布后不再改变）。查看进行中的：\`/排名 ${word === '上月' ? '本月' : '本周'}\``;
      }
      const published = await publishedRanking(ctx.models, snapshot, where.level, where.ref);
      rows = published.rows;
      const period = snapshotPeriod(snapshot);
      const compared = published.previous ? `与${shortLabel(snapshotPeriod(published.previous))}比` : '首次发布，无升降';
      note = [font('comment', `${period.kind === 'month' ? '月度' : '每周'}排名 ${shortLabel(period)}（已发布${snapshot.version > 1 ? `，第${snapshot.version}版` : ''}）· ${compared}`)];
      if (snapshot.reason) note.push(font('comment', `第${snapshot.version}版 ${formatDateTime(snapshot.publishedAt, ctx.now)} 更正：${escapeMarkdown(snapshot.reason)}`));
    }

    const lines = [title, ...note];
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
