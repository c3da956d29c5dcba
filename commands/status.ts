import { z } from 'zod';
import { arg, userArg } from '../src/bot/args';
import { argModels } from '../src/bot/args/context';
import type { CommandContext } from '../src/bot/context';
import { defineCommand } from '../src/bot/define-command';
import { roleCovers, type ScopeTarget } from '../src/services/permissions';
import type { CourtyardDoc, StreetDoc } from '../src/db/models';
import { PermissionError, UserError } from '../src/errors';
import { canSee, chatVisibility, invisibleText, type ReadTarget } from '../src/services/chat-visibility';
import { holidayNotice } from '../src/render/holiday-notice';
import { findCourtyard } from '../src/services/lookup';
import { matchName } from '../src/services/name-match';
import { callerScope } from '../src/services/scope';
import { areaCard, courtyardCard, myDutiesCard, pushProblems } from '../src/render/status-card';

/** What /查询 is about. */
type Target = { kind: 'me' } | { kind: 'page'; page: number } | { kind: 'courtyard'; courtyard: CourtyardDoc } | { kind: 'street'; street: StreetDoc };

const ME = new Set(['我', '自己', '本人', 'me', 'my', 'mine']);

/** `我`, a page number, or a courtyard or street office by name (one lookup over both, so that an ambiguous name lists them all). */
const targetArg = () =>
  userArg('楼院或街道', async (text, ctx): Promise<Target> => {
    if (ME.has(text.toLowerCase())) return { kind: 'me' };
    if (/^\d{1,3}$/.test(text)) return { kind: 'page', page: Number(text) };
    const models = argModels(ctx);
    if (text.includes('/')) return { kind: 'courtyard', courtyard: await findCourtyard(models, text, ctx.scope) };
    const [streets, yards] = await Promise.all([models.Street.find().sort({ name: 1 }), models.Courtyard.find().sort({ name: 1 })]);
    type Hit = { street?: StreetDoc; courtyard?: CourtyardDoc };
    const hits: Hit[] = [...streets.map((street) => ({ street })), ...yards.map((courtyard) => ({ courtyard }))];
    const match = matchName(hits, (h) => (h.street ? [h.street.name, ...h.street.aliases] : [h.courtyard!.name, ...h.courtyard!.aliases]), text);
    if (match.kind === 'one') {
      const h = match.item;
      return h.street ? { kind: 'street', street: h.street } : { kind: 'courtyard', courtyard: h.courtyard! };
    }
    if (match.kind === 'many') {
      const inScope = match.items.filter((h) => h.courtyard && ctx.scope?.kind === 'street' && h.courtyard.street.equals(ctx.scope.street._id));
      if (inScope.length === 1) return { kind: 'courtyard', courtyard: inScope[0]!.courtyard! };
      // Courtyards keep their own lookup's wording (and its 街道/楼院 hint for twins).
      if (match.items.every((h) => h.courtyard)) return { kind: 'courtyard', courtyard: await findCourtyard(models, text, ctx.scope) };
      const names = match.items.slice(0, 8).map((h) => (h.street ? `${h.street.name}（街道）` : h.courtyard!.name));
      throw new UserError(`「${text}」对应多个：${names.join('、')}。请写全称`);
    }
    const near = match.near.map((h) => h.street?.name ?? h.courtyard!.name);
    throw new UserError(`没有找到楼院或街道「${text}」${near.length ? `，你是不是要找：${near.join('、')}？` : ''}`);
  });

/** Admin push problems for `target`, when the caller is an admin covering it. */
async function problemsFor(ctx: CommandContext, target: ScopeTarget, scope: { courtyard?: CourtyardDoc; street?: StreetDoc }) {
  return roleCovers(ctx.caller, 'admin', target) ? pushProblems(ctx.models, scope, ctx.now, ctx.deadPushes ?? (async () => [])) : [];
}

/**
 * /查询 — the status card of the group's scope, a named courtyard or street office, or
 * (`/查询 我`) the caller's own duties this week. Admins also see push problems of the scope.
 * A named place must be one the caller may read here (src/services/chat-visibility.ts).
 */
export default defineCommand({
  name: '查询',
  aliases: ['status'],
  summary: '查看楼院、街道的整治情况，或「我」本周的待办',
  allow: 'anyone',
  usage: ['/查询', '/查询 东方花园', '/查询 济源路', '/查询 我'],
  args: z.object({ target: targetArg().optional(), page: arg.int('页码', { min: 1, max: 999 }).optional() }),
  keys: { 楼院: 'target', 街道: 'target', 页: 'page', 页码: 'page' },
  async run(ctx, args) {
    let target = args.target;
    let page = args.page;
    if (target?.kind === 'page') {
      if (page !== undefined) return ctx.fail(`多余的参数：${page}`);
      page = target.page;
      target = undefined;
    }
    const base = `/${ctx.command.name}`;
    const opts = { now: ctx.now, calendar: ctx.calendar, weights: ctx.config.scoreWeights, page };

    if (target?.kind === 'me') {
      if (!ctx.caller.cadre) throw new UserError('你还没有登记，查不到你的待办。请先发送 `/登记 姓名 单位`');
      return (await myDutiesCard(ctx.models, ctx.caller.cadre, { ...opts, moreCommand: `${base} 我` })).markdown;
    }
    const view = chatVisibility(ctx.caller, ctx.scope);
    const readable = (t: ReadTarget) => {
      if (!canSee(view, t)) throw new PermissionError(invisibleText(ctx.scope, Boolean(ctx.caller.cadre) || ctx.caller.roles.size > 0));
    };
    if (target?.kind === 'courtyard') {
      const c = target.courtyard;
      readable({ courtyard: c });
      const problems = await problemsFor(ctx, { courtyard: c }, { courtyard: c });
      return (await courtyardCard(ctx.models, c, { ...opts, problems, moreCommand: `${base} ${c.name}` })).markdown;
    }
    if (target?.kind === 'street') {
      const s = target.street;
      readable({ street: s._id });
      const problems = await problemsFor(ctx, { street: s._id }, { street: s });
      return (await areaCard(ctx.models, s, { ...opts, problems, moreCommand: `${base} ${s.name}` })).markdown;
    }

    // No target: in a 1:1 chat a cadre's own duties; otherwise the scope the caller looks after.
    const { caller } = ctx;
    const manages = caller.roles.has('admin') || caller.roles.has('leader');
    if (ctx.scope.kind === 'none' && !manages && caller.cadre) return (await myDutiesCard(ctx.models, caller.cadre, { ...opts, moreCommand: base })).markdown;
    const place = await callerScope(ctx.models, ctx);
    if (place?.kind === 'courtyard') {
      const problems = await problemsFor(ctx, { courtyard: place.courtyard }, { courtyard: place.courtyard });
      return (await courtyardCard(ctx.models, place.courtyard, { ...opts, problems, moreCommand: base })).markdown;
    }
    if (place?.kind === 'street') {
      const problems = await problemsFor(ctx, { street: place.street._id }, { street: place.street });
      return (await areaCard(ctx.models, place.street, { ...opts, problems, moreCommand: base })).markdown;
    }
    if (place?.kind === 'district') {
      const problems = [...(roleCovers(ctx.caller, 'admin', { district: true }) ? holidayNotice(ctx.calendar, ctx.now) : []), ...(await problemsFor(ctx, { district: true }, {}))];
      return (await areaCard(ctx.models, null, { ...opts, problems, moreCommand: base })).markdown;
    }
    if (caller.roles.size === 0 && !caller.cadre) throw new PermissionError(invisibleText(ctx.scope, false));
    return ctx.fail('本群还没有绑定楼院或街道，请写明要查询的楼院或街道');
  },
});
