import { z } from 'zod';
import { arg, userArg } from '../src/bot/args';
import { argModels } from '../src/bot/args/context';
import type { CommandContext } from '../src/bot/context';
import { defineCommand } from '../src/bot/define-command';
import { bold, escapeMarkdown, font, paginate, percentOf } from '../src/text/markdown';
import type { CourtyardDoc } from '../src/db/models';
import { UserError } from '../src/errors';
import { findCourtyard } from '../src/services/lookup';
import { ORG_LABELS, orgCoverage, parseOrgStatus, parseOrgWord, parseTeamCount, type OrgWord } from '../src/services/orgs';
import { orgStatusLines } from '../src/render/orgs';
import { orgChange, orgGuard, orgState, type OrgChange, type OrgState } from '../src/services/history';
import { courtyardsInScope, listingLabel } from '../src/services/scope';

/**
 * /组织 — records the three organisations of a courtyard (三类组织: 党组织, 自治组织,
 * 志愿服务队) and shows whether it is covered (全覆盖); with nothing after it, the group's
 * courtyard, or its street's coverage.
 */

type What = OrgWord | { show: CourtyardDoc | null };

/** Tries of the conditional write when others change the same courtyard's organisations at once. */
const MAX_ATTEMPTS = 5;

/** The update that sets the organisations to `after` and appends `entry` to their history. */
function orgUpdate(after: OrgState, entry: OrgChange) {
  const set: Record<string, unknown> = { 'orgs.volunteerTeams': after.volunteerTeams };
  const unset: Record<string, 1> = {};
  for (const k of ['party', 'selfGov'] as const) {
    set[`orgs.${k}.status`] = after[k].status;
    for (const f of ['kind', 'builtAt'] as const) {
      if (after[k][f]) set[`orgs.${k}.${f}`] = after[k][f];
      else unset[`orgs.${k}.${f}`] = 1;
    }
  }
  return { $set: set, ...(Object.keys(unset).length ? { $unset: unset } : {}), $push: { orgHistory: entry } };
}

const ORG_HINT = '党支部、党小组、临时党支部、功能型党组织、业委会、自管会、居民议事会、志愿队';

/** The first word: an organisation (`党支部`, `自管会`, `志愿队`) or a courtyard to show. */
const whatArg = () =>
  userArg('组织', async (text, ctx): Promise<What> => {
    const org = parseOrgWord(text);
    if (org) return org;
    if (text === '查看') return { show: null };
    try {
      return { show: await findCourtyard(argModels(ctx), text, ctx.scope) };
    } catch (err) {
      if (err instanceof UserError) throw new UserError(`「${text}」不是组织名称，应为 ${ORG_HINT} 之一（或要查看的楼院名）`);
      throw err;
    }
  });

function card(courtyard: CourtyardDoc, title?: string): string {
  return [...(title ? [title] : []), bold(`${escapeMarkdown(courtyard.name)} · 三类组织`), ...orgStatusLines(courtyard.orgs)].join('\n');
}

/** Coverage of the courtyards of a street or the district, the uncovered listed. */
async function coverageCard(ctx: CommandContext): Promise<string> {
  const yards = await courtyardsInScope(ctx.models, ctx.scope);
  const covers = yards.map((y) => ({ y, c: orgCoverage(y.orgs) }));
  const count = (k: 'party' | 'selfGov' | 'volunteer' | 'full') => covers.filter(({ c }) => c[k]).length;
  const n = yards.length;
  const label = listingLabel(ctx.scope);
  const header = [
    bold(`${escapeMarkdown(label)} · 三类组织`),
    `全覆盖 ${count('full')}/${n}（${percentOf(count('full'), n)}%）`,
    `${ORG_LABELS.party} ${count('party')}/${n} · ${ORG_LABELS.selfGov} ${count('selfGov')}/${n} · ${ORG_LABELS.volunteer} ${count('volunteer')}/${n}`,
  ];
  const missing = covers.filter(({ c }) => !c.full).map(({ y, c }) => `${escapeMarkdown(y.name)}：缺${c.missing.join('、')}`);
  if (missing.length === 0) return [...header, n ? font('info', '全部楼院已全覆盖') : font('comment', '没有楼院')].join('\n');
  return paginate({
    header: [...header, font('warning', `未全覆盖 ${missing.length} 个：`)],
    lines: missing,
    footer: (p, total) => `第 ${p}/${total} 页 · 单个楼院：\`/组织 楼院名\``,
  }).markdown;
}

export default defineCommand({
  name: '组织',
  aliases: ['org'],
  summary: '记录楼院三类组织（党组织、自治组织、志愿服务队），查看是否全覆盖',
  allow: ['cadre', 'admin'],
  usage: ['/组织 党支部 已建', '/组织 自管会 筹建中', '/组织 志愿队 3', '/组织', '/组织 党小组 已建 楼院=东方花园'],
  args: z.object({ what: whatArg().optional(), value: arg.word('状态').optional(), courtyard: arg.courtyard().optional() }),
  keys: { 组织: 'what', 状态: 'value', 数量: 'value', 楼院: 'courtyard' },
  async run(ctx, { what, value, courtyard: given }) {
    const { models, now } = ctx;
    if (!what || 'show' in what) {
      if (value) ctx.fail(`多余的参数：「${value}」`);
      const shown = (what ? what.show : null) ?? given ?? ctx.defaultCourtyard;
      return shown ? card(shown) : coverageCard(ctx);
    }

    const courtyard = ctx.courtyardOrDefault(given);
    await ctx.assertInScope({ courtyard });
    if (!value) return ctx.fail(what.org === 'volunteer' ? '请写志愿服务队的支数，如 `/组织 志愿队 3`' : '请写状态：已建、筹建中 或 未建');
    const teams = what.org === 'volunteer' ? parseTeamCount(value) : undefined;
    if (what.org === 'volunteer' && teams === undefined) return ctx.fail(`志愿服务队的支数应为 0 到 999 的整数，收到「${value}」`);
    const status = what.org === 'volunteer' ? undefined : parseOrgStatus(value);
    if (what.org !== 'volunteer' && !status) return ctx.fail(`状态应为 已建、筹建中、未建 之一，收到「${value}」`);

    // One conditional write with its history entry: it goes through only if the organisations
    // are still as read; when someone changed them meanwhile, read again and apply to theirs.
    let current: CourtyardDoc | null = courtyard;
    for (let attempt = 0; attempt < MAX_ATTEMPTS && current; attempt++) {
      const before = orgState(current.orgs);
      const after = orgState(current.orgs);
      let change: string;
      if (what.org === 'volunteer') {
        if (teams === before.volunteerTeams) return card(current, `${escapeMarkdown(current.name)} 的志愿服务队已是 ${teams} 支，无需更改`);
        after.volunteerTeams = teams!;
        change = `${ORG_LABELS.volunteer} ${before.volunteerTeams} → ${teams} 支`;
      } else {
        const was = before[what.org];
        const kind = status === '未建' ? undefined : (what.kind ?? was.kind ?? undefined);
        if (was.status === status && (was.kind ?? undefined) === kind) {
          return card(current, `${escapeMarkdown(current.name)} 的${ORG_LABELS[what.org]}已是「${status}」，无需更改`);
        }
        const builtAt = status !== '已建' ? undefined : was.status === '已建' ? was.builtAt : now;
        after[what.org] = { status: status!, ...(kind ? { kind } : {}), ...(builtAt ? { builtAt } : {}) };
        change = `${ORG_LABELS[what.org]} → ${status}${kind ? `（${kind}）` : ''}`;
      }
      const updated = await ctx.audit.update(models.Courtyard, { _id: current._id, ...orgGuard(current.orgs) }, orgUpdate(after, orgChange(before, after, now, ctx.caller.userId)));
      if (updated) {
        const lines = [card(updated, `✅ 已记录：${escapeMarkdown(updated.name)} ${change}`)];
        if (orgCoverage(updated.orgs).full && !orgCoverage(current.orgs).full) lines.push('🎉 三类组织全覆盖达成');
        return lines.join('\n');
      }
      current = await models.Courtyard.findById(courtyard._id);
    }
    if (!current) throw new UserError(`楼院「${courtyard.name}」已不在花名册中`);
    throw new UserError(`「${courtyard.name}」的组织记录正有多人同时修改，请稍后再发一次`);
  },
});
