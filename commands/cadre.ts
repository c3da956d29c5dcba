import type { Types } from 'mongoose';
import { z } from 'zod';
import { arg, keyOnly, userArg } from '../src/bot/args';
import { argModels } from '../src/bot/args/context';
import { asRest } from '../src/bot/args/make-arg';
import type { CommandContext } from '../src/bot/context';
import { defineCommand } from '../src/bot/define-command';
import { bold, escapeMarkdown, font, paginate } from '../src/text/markdown';
import { OPEN_PROJECT_STATUSES, type Cadre, type CadreDoc, type CourtyardDoc } from '../src/db/models';
import { PermissionError, UserError } from '../src/errors';
import { isDuplicateKey } from '../src/db/duplicate-key';
import { formatDay } from '../src/services/beijing-time';
import { findPerson, lastChangedBy, maskMobile, mobileHolder, parseMobile, personLabel, personRef } from '../src/services/cadres';
import { assignmentGuard, reassignment } from '../src/services/history';
import { findCourtyard } from '../src/services/lookup';
import { ON_ROSTER } from '../src/services/on-roster';

/**
 * /干部 — the assigned cadres (分包干部) without a roster import: 新增, 调整 (the set of
 * courtyards), 停用, 列表. A street admin manages the courtyards of their street and the
 * cadres assigned there; a district admin everything. Every change dates the assignment
 * (Cadre.assignments, src/services/history.ts), so a past period is still judged on who was
 * assigned then; a stopped cadre can no longer report (src/services/caller.ts reads active
 * entries only) and leaves the figures from the stop on.
 */

/** `楼院=九冶院、三湾街18号楼`: one or more courtyards, each as /绑定 and /组织 find them. */
const courtyardsArg = () =>
  keyOnly(
    asRest(
      userArg('楼院', async (text, ctx): Promise<CourtyardDoc[]> => {
        const names = text.split(/[\s、，,；;]+/).filter(Boolean);
        if (names.length > 20) throw new UserError('一次最多写 20 个楼院');
        const found: CourtyardDoc[] = [];
        for (const name of names) {
          const yard = await findCourtyard(argModels(ctx), name, ctx.scope);
          if (!found.some((y) => y._id.equals(yard._id))) found.push(yard);
        }
        return found;
      }),
      'text',
    ),
  );

const mobileArg = () =>
  userArg('手机', (text) => {
    const mobile = parseMobile(text);
    if (!mobile) throw new UserError(`手机号应为 11 位数字，收到「${text}」`);
    return mobile;
  });

/** A person as typed (`王五`, `王五(区教育局)`, `王五(13800000001)`), stopped ones included. */
const personArg = () => userArg('干部', (text, ctx) => findPerson(argModels(ctx), text, { inactive: true }));

/** The caller's street when they are a street admin; undefined for a district admin. */
function adminStreet(ctx: CommandContext): Types.ObjectId | undefined {
  return ctx.caller.roleScope.kind === 'street' ? ctx.caller.roleScope.street : undefined;
}

async function yardNames(ctx: CommandContext, ids: readonly Types.ObjectId[]): Promise<string> {
  if (ids.length === 0) return '无';
  const yards = await ctx.models.Courtyard.find({ _id: { $in: ids } }, { name: 1 }).lean();
  const byId = new Map(yards.map((y) => [String(y._id), y.name]));
  return ids.map((id) => escapeMarkdown(byId.get(String(id)) ?? '?')).join('、');
}

/**
 * Refuses unless the caller manages `person`: a district admin always; a street admin when
 * the person is assigned in their street (`whole`: only there).
 */
async function assertManages(ctx: CommandContext, person: CadreDoc, whole: boolean): Promise<void> {
  const street = adminStreet(ctx);
  if (!street) return;
  const yards = await ctx.models.Courtyard.find({ _id: { $in: person.courtyards } }, { name: 1, street: 1 });
  const mine = yards.filter((y) => y.street.equals(street));
  if (mine.length === 0) {
    if (yards[0]) await ctx.assertInScope({ courtyard: yards[0] });
    throw new PermissionError(`${escapeMarkdown(personLabel(person))} 没有分包本街道的楼院，只有区管理员可以处理`);
  }
  if (whole && mine.length < yards.length) {
    const others = yards.filter((y) => !y.street.equals(street)).map((y) => escapeMarkdown(y.name));
    throw new PermissionError(
      `${escapeMarkdown(personLabel(person))} 还分包其他街道的楼院（${others.join('、')}），停用请找区管理员；只去掉本街道的楼院：\`/干部 调整 ${escapeMarkdown(personRef(person))} 楼院=…\``,
    );
  }
}

/** Refuses a mobile another active entry already has. */
async function assertMobileFree(ctx: CommandContext, mobile: string | undefined, except?: Types.ObjectId): Promise<void> {
  if (!mobile) return;
  const holder = await mobileHolder(ctx.models, mobile, except);
  if (holder) ctx.fail(`手机号 ${maskMobile(mobile)} 已属于 ${personLabel(holder)}，同一个手机号不能登记给两个人`);
}

/** The error when a guarded write found the entry changed: who changed it. */
async function movedError(ctx: CommandContext, person: CadreDoc): Promise<UserError> {
  const now = await ctx.models.Cadre.findById(person._id);
  const by = await lastChangedBy(ctx.models, 'Cadre', person._id);
  if (now && !now.active) return new UserError(`${personLabel(person)} 刚刚已由 ${by} 停用`);
  return new UserError(`${personLabel(person)} 的分包楼院刚刚已由 ${by} 调整为：${await yardNames(ctx, now?.courtyards ?? [])}，请核对后再发`);
}

const create = defineCommand({
  name: '新增',
  aliases: ['add', '新建', '添加'],
  summary: '把一位分包干部加入花名册，分包楼院从今天起算（街道管理员限本街道楼院）',
  allow: ['admin'],
  usage: ['/干部 新增 王五 区教育局 楼院=九冶院 手机=13800000001', '/干部 新增 王五 区教育局 楼院=九冶院、三湾街18号楼'],
  args: z.object({ name: arg.word('姓名'), unit: arg.word('单位'), courtyards: courtyardsArg(), mobile: keyOnly(mobileArg().optional()) }),
  keys: { 姓名: 'name', 单位: 'unit', 楼院: 'courtyards', 分包楼院: 'courtyards', 手机: 'mobile', 手机号: 'mobile', 电话: 'mobile' },
  async run(ctx, { name, unit, courtyards, mobile }) {
    const { models, now } = ctx;
    for (const courtyard of courtyards) await ctx.assertInScope({ courtyard });
    if ([...name].length > 20) ctx.fail('姓名不超过 20 个字');
    if ([...unit].length > 40) ctx.fail('单位不超过 40 个字');
    if (parseMobile(name)) ctx.fail('第一个词应为姓名，第二个为单位');
    const ids = courtyards.map((y) => y._id);
    const names = courtyards.map((y) => escapeMarkdown(y.name)).join('、');
    await assertMobileFree(ctx, mobile);

    const same = await models.Cadre.findOne({ name, unit });
    if (same?.active) throw new UserError(`${personLabel(same)} 已在花名册中；改分包楼院：\`/干部 调整 ${escapeMarkdown(personRef(same))} 楼院=…\``);
    if (same) {
      // Back on the roster: a new stretch of assignment from now on, the old ones kept.
      const back = await ctx.audit.update(
        models.Cadre,
        { _id: same._id, active: false, ...assignmentGuard(same) },
        { $set: { active: true, ...reassignment(same, ids, now), ...(mobile ? { mobile } : {}) }, $unset: { deactivatedAt: 1 } },
      );
      if (!back) throw await movedError(ctx, same);
      return [`✅ ${bold(escapeMarkdown(personLabel(back)))} 已恢复为分包干部`, `分包楼院：${names}（${formatDay(now, now)}起）`, font('comment', '停用前的分包记录保留，以往周期仍按当时计算')].join('\n');
    }

    const namesakes = await models.Cadre.find({ name, active: true }, { name: 1, unit: 1 }).lean();
    const created = await ctx.audit
      .create(models.Cadre, { name, unit, mobile, roles: ['cadre'], courtyards: ids, assignments: ids.map((courtyard) => ({ courtyard, from: now, to: null })), active: true } as Partial<Cadre>)
      .catch(async (err: unknown) => {
        if (!isDuplicateKey(err)) throw err;
        const won = await models.Cadre.findOne({ name, unit });
        if (!won) throw err;
        throw new UserError(`${personLabel(won)} 刚刚已由 ${await lastChangedBy(models, 'Cadre', won._id)} 加入花名册`);
      });
    // Mobiles have no unique index (older rosters may hold duplicates): of two entries given one
    // mobile at once, each checks after its write, and one that sees the other yields. The
    // later write always sees the earlier, so two never stay (both may yield: rare, and safe).
    const twin = mobile ? await mobileHolder(models, mobile, created._id) : null;
    if (twin) {
      await ctx.audit.remove(models.Cadre, { _id: created._id });
      throw new UserError(`手机号 ${maskMobile(mobile)} 刚刚也登记给了 ${personLabel(twin)}，${personLabel(created)} 没有加入；请核对后再发`);
    }
    const lines = [`✅ ${bold(escapeMarkdown(personLabel(created)))} 已加入花名册`, `分包楼院：${names}（${formatDay(now, now)}起）`];
    if (mobile) lines.push(`手机：${maskMobile(mobile)}`);
    if (namesakes.length) {
      lines.push(font('warning', `花名册里还有 ${namesakes.map((p) => escapeMarkdown(personLabel(p))).join('、')}；指定某一位时请写 ${escapeMarkdown(personRef(created))}`));
    }
    lines.push(font('comment', `本人发送 \`/登记 ${escapeMarkdown(name)} ${escapeMarkdown(unit)}\`，经管理员批准后即可报进度、下沉`));
    return lines.join('\n');
  },
});

const adjust = defineCommand({
  name: '调整',
  aliases: ['assign', '改派', '修改'],
  summary: '改一位干部分包的楼院（写出调整后的全部楼院；此前的分包记录保留）',
  allow: ['admin'],
  usage: ['/干部 调整 王五 楼院=九冶院、三湾街18号楼', '/干部 调整 王五(区教育局) 楼院=九冶院 手机=13800000002'],
  args: z.object({ person: personArg(), courtyards: courtyardsArg(), mobile: keyOnly(mobileArg().optional()) }),
  keys: { 干部: 'person', 姓名: 'person', 楼院: 'courtyards', 分包楼院: 'courtyards', 手机: 'mobile', 手机号: 'mobile', 电话: 'mobile' },
  async run(ctx, { person, courtyards, mobile }) {
    const { models, now } = ctx;
    await assertManages(ctx, person, false);
    for (const courtyard of courtyards) await ctx.assertInScope({ courtyard });
    if (!person.active) ctx.fail(`${personLabel(person)} 已停用；恢复：/干部 新增 ${person.name} ${person.unit} 楼院=…`);
    if (!person.roles.includes('cadre')) ctx.fail(`${personLabel(person)} 不是分包干部（是管理员或领导），请改花名册`);
    await assertMobileFree(ctx, mobile, person._id);

    // A street admin sets the courtyards of their street; the person's others stay as they are.
    const street = adminStreet(ctx);
    const kept: Types.ObjectId[] = street ? (await models.Courtyard.find({ _id: { $in: person.courtyards }, street: { $ne: street } }, { _id: 1 })).map((y) => y._id as Types.ObjectId) : [];
    const next = [...kept, ...courtyards.map((y) => y._id)];
    const same = next.length === person.courtyards.length && next.every((id) => person.courtyards.some((c) => c.equals(id)));
    if (same && (!mobile || mobile === person.mobile)) return `${escapeMarkdown(personLabel(person))} 的分包楼院已是：${await yardNames(ctx, person.courtyards)}，无需更改`;

    const updated = await ctx.audit.update(
      models.Cadre,
      { _id: person._id, active: true, ...assignmentGuard(person) },
      { $set: { ...(same ? {} : reassignment(person, next, now)), ...(mobile ? { mobile } : {}) } },
    );
    if (!updated) throw await movedError(ctx, person);
    const lines = [`✅ 已调整 ${bold(escapeMarkdown(personLabel(updated)))}`];
    if (!same) lines.push(`分包楼院：${await yardNames(ctx, person.courtyards)} → ${await yardNames(ctx, updated.courtyards)}（${formatDay(now, now)}起）`);
    if (mobile && mobile !== person.mobile) lines.push(`手机：${maskMobile(mobile)}`);
    lines.push(font('comment', '以往周期的排名仍按当时的分包计算'));
    return lines.join('\n');
  },
});

const stop = defineCommand({
  name: '停用',
  aliases: ['stop', 'remove', '移出'],
  summary: '干部离开：从此刻起不再分包、不能报送，以往周期不变',
  allow: ['admin'],
  usage: ['/干部 停用 王五', '/干部 停用 王五(区教育局)'],
  args: z.object({ person: personArg() }),
  keys: { 干部: 'person', 姓名: 'person' },
  async run(ctx, { person }) {
    const { models, now } = ctx;
    await assertManages(ctx, person, true);
    if (!person.active) return `${escapeMarkdown(personLabel(person))} 已于 ${person.deactivatedAt ? formatDay(person.deactivatedAt, now) : '此前'} 停用`;
    if (person.roles.some((r) => r !== 'cadre')) ctx.fail(`${personLabel(person)} 是管理员或领导，停用请改花名册`);

    const stopped = await ctx.audit.update(
      models.Cadre,
      { _id: person._id, active: true, ...assignmentGuard(person) },
      { $set: { active: false, deactivatedAt: now, ...reassignment(person, [], now) } },
    );
    if (!stopped) throw await movedError(ctx, person);
    const [projects, requests] = await Promise.all([
      models.Project.find({ owner: person._id, status: { $in: [...OPEN_PROJECT_STATUSES] } }, { no: 1 }).sort({ no: 1 }).lean(),
      models.ResidentRequest.find({ assignee: person._id, status: { $ne: '已办结' } }, { no: 1 }).sort({ no: 1 }).lean(),
    ]);
    const lines = [
      `⛔ 已停用 ${bold(escapeMarkdown(personLabel(person)))}（${formatDay(now, now)}起）`,
      `原分包楼院：${await yardNames(ctx, person.courtyards)}`,
      font('comment', '此后不能再报进度、下沉，也不再计入本期排名；以往周期不变'),
    ];
    if (projects.length) lines.push(font('warning', `名下还有进行中的项目 ${projects.map((p) => `#${p.no}`).join('、')}，请改派责任人`));
    if (requests.length) lines.push(font('warning', `名下还有未办结的诉求 ${requests.map((r) => `#${r.no}`).join('、')}，请转派`));
    return lines.join('\n');
  },
});

const list = defineCommand({
  name: '列表',
  aliases: ['list', '名单'],
  summary: '分包干部名单：单位、分包楼院、手机、是否已关联企业微信',
  allow: ['admin'],
  usage: ['/干部 列表', '/干部 列表 九冶院', '/干部 列表 页码=2'],
  args: z.object({ courtyard: arg.courtyard().optional(), page: keyOnly(arg.int('页码', { min: 1, max: 9999 }).optional()) }),
  keys: { 楼院: 'courtyard', 页码: 'page', 页: 'page' },
  async run(ctx, { courtyard: given, page }) {
    const { models } = ctx;
    const courtyard = given ?? ctx.defaultCourtyard;
    let label: string;
    let yards: CourtyardDoc[];
    if (courtyard) {
      await ctx.assertInScope({ courtyard });
      yards = [courtyard];
      label = courtyard.name;
    } else {
      const street = adminStreet(ctx) ?? (ctx.scope.kind === 'street' ? ctx.scope.street._id : undefined);
      yards = await models.Courtyard.find({ ...(street ? { street } : {}), ...ON_ROSTER }).sort({ name: 1 });
      label = street ? ((await models.Street.findById(street, { name: 1 }))?.name ?? '本街道') : '全区';
    }
    const ids = yards.map((y) => y._id);
    const names = new Map(yards.map((y) => [String(y._id), y.name]));
    const people = await models.Cadre.find({ active: true, roles: 'cadre', courtyards: { $in: ids } }).sort({ name: 1, unit: 1 });
    const header = [bold(`${escapeMarkdown(label)} · 分包干部 ${people.length} 人`)];
    if (people.length === 0) return [...header, font('comment', '没有分包干部。新增：`/干部 新增 姓名 单位 楼院=…`')].join('\n');
    const lines = people.map((p) => {
      const own = p.courtyards.map((c) => names.get(String(c))).filter((n): n is string => Boolean(n));
      const others = p.courtyards.length - own.length;
      const parts = [bold(escapeMarkdown(p.name)), escapeMarkdown(p.unit), own.map(escapeMarkdown).join('、') + (others ? ` 等 ${p.courtyards.length} 处` : '')];
      if (p.mobile) parts.push(maskMobile(p.mobile));
      parts.push(p.userId ? '已关联' : font('comment', '未关联企业微信'));
      return parts.join(' · ');
    });
    const again = `/干部 列表${given ? ` ${given.name}` : ''}`;
    return paginate({ header, lines, page, footer: (p, n) => (p < n ? `第 ${p}/${n} 页，下一页：\`${escapeMarkdown(again)} 页码=${p + 1}\`` : `第 ${p}/${n} 页`) }).markdown;
  },
});

export default defineCommand({
  name: '干部',
  aliases: ['cadre'],
  summary: '分包干部名单：新增、调整分包楼院、停用（分包记录按日期保留）',
  subcommands: [create, adjust, stop, list],
  defaultSubcommand: '列表',
});
