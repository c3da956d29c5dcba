import { z } from 'zod';
import { arg } from '../src/bot/args';
import { defineCommand } from '../src/bot/define-command';
import { bold, escapeMarkdown, font, paginate, percentOf, progressBar } from '../src/text/markdown';
import type { MilestoneDoc } from '../src/db/models';
import type { CommandContext } from '../src/bot/context';
import { PermissionError, UserError } from '../src/errors';
import { canSee, chatVisibility, invisibleText, seesNothing } from '../src/services/chat-visibility';
import { isDuplicateKey } from '../src/db/duplicate-key';
import { formatDay, isJustNow } from '../src/services/beijing-time';
import { nameOfUser } from '../src/services/lookup';
import {
  findMilestone,
  milestoneOrgs,
  milestoneScopeLabel,
  milestoneStates,
  milestonesFilter,
  scopesOverlap,
  toMilestoneScope,
  type CourtyardState,
} from '../src/services/milestones';
import { ORG_LABELS } from '../src/services/orgs';
import { findPlace } from '../src/services/place';
import { daysUntil, MAX_TITLE_CHARS, onTime } from '../src/services/projects';
import { deadlineText } from '../src/render/projects';
import { listingLabel, type Scope } from '../src/services/scope';

/**
 * /节点 — phase deadlines (挂图作战): an admin sets a milestone for a scope (8月10日前
 * 党组织全覆盖), and each courtyard of the scope is tracked against it. Milestones whose title
 * names organisations count a courtyard done as soon as /组织 records them.
 */

/** `███████░░░ 70% 7/10 · 还有 5 天` (or how late, or all done). */
function progressLine(m: MilestoneDoc, states: CourtyardState[], now: Date): string {
  const done = states.filter((s) => s.done).length;
  const total = states.length;
  const left = total - done;
  const when = left === 0 ? font('info', total ? '全部完成' : '范围内没有楼院') : `${deadlineText(m.deadline, now)}，未完成 ${left} 个`;
  return `${progressBar(percentOf(done, total))} ${done}/${total} · ${when}`;
}

/** `济源路街道：` when the counts are of a street inside a wider milestone. */
function within(scope: Scope, m: MilestoneDoc): string {
  return scope.kind === 'street' && m.scope.kind === 'district' ? `${escapeMarkdown(scope.street.name)}：` : '';
}

function stateLine(s: CourtyardState, m: MilestoneDoc, now: Date): string {
  const name = escapeMarkdown(s.courtyard.name);
  if (!s.done) return `⏳ ${name}`;
  const late = s.at && !onTime(m.deadline, s.at) ? font('warning', `逾期 ${-daysUntil(m.deadline, s.at)} 天`) : '';
  const how = s.auto ? font('comment', '（组织已建）') : '';
  return `✅ ${name}${s.at ? ` ${formatDay(s.at, now)}` : ''}${how} ${late}`.trimEnd();
}

/**
 * The courtyards' states a caller may read here: a bound group's are its own scope's
 * already; in a 1:1 chat or an unbound group, those the caller looks after
 * (src/services/chat-visibility.ts). Someone who looks after nothing is refused.
 */
function readableStates(ctx: CommandContext): { all: boolean; filter: (states: CourtyardState[]) => CourtyardState[] } {
  const view = chatVisibility(ctx.caller, ctx.scope);
  if (ctx.scope.kind !== 'none' || view.district) return { all: true, filter: (states) => states };
  if (seesNothing(view)) throw new PermissionError(invisibleText(ctx.scope, Boolean(ctx.caller.cadre) || ctx.caller.roles.size > 0));
  return { all: false, filter: (states) => states.filter((s) => canSee(view, { courtyard: s.courtyard })) };
}

const create = defineCommand({
  name: '新建',
  aliases: ['new', '设定'],
  summary: '设定阶段节点（挂图作战），各楼院对表完成',
  allow: ['admin'],
  usage: ['/节点 新建 党组织全覆盖 截止=8月10日', '/节点 新建 志愿队全覆盖 截止=8月20日 范围=济源路'],
  args: z.object({ title: arg.word('节点'), deadline: arg.date('截止', { future: true }), scope: arg.word('范围').optional() }),
  keys: { 节点: 'title', 名称: 'title', 截止: 'deadline', 时限: 'deadline', 范围: 'scope' },
  async run(ctx, { title, deadline, scope: given }) {
    const { models, now } = ctx;
    const place: Scope = given ? await findPlace(models, given, ctx.scope) : ctx.scope;
    if (place.kind === 'street') await ctx.assertInScope({ street: place.street._id });
    else if (place.kind === 'courtyard') await ctx.assertInScope({ courtyard: place.courtyard });
    else await ctx.assertInScope({ district: true });
    if ([...title].length > MAX_TITLE_CHARS) ctx.fail(`节点名称不超过 ${MAX_TITLE_CHARS} 个字`);
    if (/^\d+$/.test(title)) ctx.fail('节点名称不能只是数字，如 党组织全覆盖');

    const scope = toMilestoneScope(place);
    // Set a moment ago (two admins at once): the answer names who, as the unique index's does below.
    const justSet = async (won: MilestoneDoc) => new UserError(`节点「${title}」刚刚已由 ${await nameOfUser(models, won.createdBy)} 设定（${formatDay(won.deadline, now)}前）`);
    for (const other of await models.Milestone.find({ title })) {
      if (await scopesOverlap(models, scope, other.scope)) {
        if (other.createdBy !== ctx.caller.userId && isJustNow(other.createdAt, now)) throw await justSet(other);
        throw new UserError(`已有节点「${title}」（${await milestoneScopeLabel(models, other.scope)}，${formatDay(other.deadline, now)}前），请换个名称`);
      }
    }
    const m = await ctx.audit.create(models.Milestone, { title, deadline, scope }).catch(async (err: unknown) => {
      // The unique title per scope: the same milestone was set a moment ago.
      if (!isDuplicateKey(err)) throw err;
      const won = await models.Milestone.findOne({ title, 'scope.kind': scope.kind, 'scope.refId': scope.refId ?? null });
      if (!won) throw err;
      throw await justSet(won);
    });
    const states = await milestoneStates(models, m);
    const orgs = milestoneOrgs(title);
    const lines = [
      `✅ 节点已设定：${bold(escapeMarkdown(title))} · ${formatDay(deadline, now)}前`,
      `范围：${escapeMarkdown(await milestoneScopeLabel(models, scope))}，${states.length} 个楼院`,
      progressLine(m, states, now),
    ];
    if (orgs.length) lines.push(font('comment', `${orgs.map((k) => ORG_LABELS[k]).join('、')}已建的楼院自动计为完成（/组织 记录）`));
    lines.push(`楼院完成后：\`/节点 完成 ${escapeMarkdown(title)} 楼院名\``);
    return lines.join('\n');
  },
});

const list = defineCommand({
  name: '列表',
  aliases: ['list'],
  summary: '各节点的完成情况和剩余天数',
  allow: 'anyone',
  usage: ['/节点 列表', '/节点 列表 2'],
  args: z.object({ page: arg.int('页码', { min: 1, max: 999 }).optional() }),
  keys: { 页码: 'page' },
  async run(ctx, { page }) {
    const { models, now, scope } = ctx;
    const visible = readableStates(ctx);
    const milestones = await models.Milestone.find(await milestonesFilter(models, scope)).sort({ deadline: 1, title: 1 });
    const label = escapeMarkdown(scope.kind === 'none' && !visible.all ? '我负责的范围' : listingLabel(scope));
    const header = [bold(`${label} · 阶段节点（挂图作战）`)];
    if (milestones.length === 0) return [...header, font('comment', '还没有节点。管理员设定：`/节点 新建 党组织全覆盖 截止=8月10日`')].join('\n');
    const lines: string[] = [];
    for (const m of milestones) {
      const states = visible.filter(await milestoneStates(models, m, scope));
      if (states.length === 0 && !visible.all) continue;
      const where = await milestoneScopeLabel(models, m.scope);
      const head = `${bold(escapeMarkdown(m.title))} · ${formatDay(m.deadline, now)}前 · ${escapeMarkdown(where)}`;
      if (scope.kind === 'courtyard') {
        const s = states[0];
        lines.push(`${head}\n本楼院：${s ? stateLine(s, m, now) : '不在范围内'}${s && !s.done ? ` · ${deadlineText(m.deadline, now)}` : ''}`);
      } else {
        lines.push(`${head}\n${within(scope, m)}${progressLine(m, states, now)}`);
      }
    }
    if (lines.length === 0) return [...header, font('comment', '你负责的楼院没有节点')].join('\n');
    return paginate({
      header,
      lines,
      page: page ?? 1,
      footer: (p, n) => (p < n ? `第 ${p}/${n} 页，下一页：\`/节点 列表 ${p + 1}\`` : `第 ${p}/${n} 页`),
    }).markdown + `\n${font('comment', '哪些楼院未完成：`/节点 查看 节点名`')}`;
  },
});

const show = defineCommand({
  name: '查看',
  aliases: ['show'],
  summary: '一个节点下各楼院的完成情况',
  allow: 'anyone',
  usage: ['/节点 查看 党组织全覆盖', '/节点 查看 党组织全覆盖 2'],
  args: z.object({ milestone: arg.word('节点'), page: arg.int('页码', { min: 1, max: 999 }).optional() }),
  keys: { 节点: 'milestone', 页码: 'page' },
  async run(ctx, { milestone, page }) {
    const { models, now } = ctx;
    const m = await findMilestone(models, milestone, ctx.scope);
    const states = readableStates(ctx).filter(await milestoneStates(models, m, ctx.scope));
    const pending = states.filter((s) => !s.done);
    const header = [
      `${bold(escapeMarkdown(m.title))} · ${formatDay(m.deadline, now)}前 · ${escapeMarkdown(await milestoneScopeLabel(models, m.scope))}`,
      `${within(ctx.scope, m)}${progressLine(m, states, now)}`,
    ];
    const lines = [...pending, ...states.filter((s) => s.done)].map((s) => stateLine(s, m, now));
    return paginate({
      header,
      lines,
      page: page ?? 1,
      footer: (p, n) => (p < n ? `第 ${p}/${n} 页，下一页：\`/节点 查看 ${escapeMarkdown(m.title)} ${p + 1}\`` : `第 ${p}/${n} 页`),
    }).markdown;
  },
});

const complete = defineCommand({
  name: '完成',
  aliases: ['done'],
  summary: '楼院完成某个节点（对表销号）',
  allow: ['cadre', 'admin'],
  usage: ['/节点 完成 党组织全覆盖', '/节点 完成 党组织全覆盖 东方花园'],
  args: z.object({ milestone: arg.word('节点'), courtyard: arg.courtyard().optional() }),
  keys: { 节点: 'milestone', 楼院: 'courtyard' },
  async run(ctx, { milestone, courtyard: given }) {
    const { models, now } = ctx;
    const courtyard = ctx.courtyardOrDefault(given);
    await ctx.assertInScope({ courtyard });
    const m = await findMilestone(models, milestone, { kind: 'courtyard', courtyard, street: null });
    const state = (await milestoneStates(models, m, { kind: 'courtyard', courtyard, street: null }))[0];
    if (!state) throw new UserError(`${courtyard.name} 不在节点「${m.title}」的范围内`);
    if (state.done) {
      throw new UserError(`${courtyard.name} 已完成节点「${m.title}」${state.at ? `（${formatDay(state.at, now)}）` : ''}${state.auto ? '，组织已建，自动计入' : ''}`);
    }
    const updated = await ctx.audit.update(
      models.Milestone,
      { _id: m._id, 'done.courtyard': { $ne: courtyard._id } },
      { $push: { done: { courtyard: courtyard._id, at: now, by: ctx.caller.userId } } },
    );
    if (!updated) {
      const done = (await models.Milestone.findById(m._id))?.done.find((d) => d.courtyard.equals(courtyard._id));
      const who = done?.by ? `由 ${await nameOfUser(models, done.by)} ` : '';
      throw new UserError(`${courtyard.name} 的节点「${m.title}」刚刚已${who}标记完成`);
    }
    const states = await milestoneStates(models, updated);
    const timing = onTime(m.deadline, now) ? '按时' : font('warning', `逾期 ${-daysUntil(m.deadline, now)} 天`);
    return [
      `✅ ${bold(escapeMarkdown(courtyard.name))} 完成节点 ${bold(escapeMarkdown(m.title))}（${timing}）`,
      `${escapeMarkdown(await milestoneScopeLabel(models, m.scope))}：${progressLine(updated, states, now)}`,
    ].join('\n');
  },
});

export default defineCommand({
  name: '节点',
  aliases: ['milestone'],
  summary: '阶段节点（挂图作战）：设定、对表完成、查看进度',
  subcommands: [create, list, show, complete],
  defaultSubcommand: '列表',
});
