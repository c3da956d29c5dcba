import type { QueryFilter } from 'mongoose';
import { z } from 'zod';
import { arg, userArg } from '../src/bot/args';
import { argModels } from '../src/bot/args/context';
import { defineCommand } from '../src/bot/define-command';
import { bold, escapeMarkdown, font, paginate, progressBar } from '../src/text/markdown';
import { OPEN_PROJECT_STATUSES, PROJECT_CATEGORIES, TASK_AREAS, type Project } from '../src/db/models';
import { canSee, chatVisibility, invisibleText, placeTarget, seesNothing, visibleFilter } from '../src/services/chat-visibility';
import { PermissionError, UserError } from '../src/errors';
import { formatDay, startOfBeijingDay } from '../src/services/beijing-time';
import { findPlace } from '../src/services/place';
import { isDuplicateKey } from '../src/db/duplicate-key';
import { nameOfUser } from '../src/services/lookup';
import { nextSequence } from '../src/services/sequence';
import {
  AREA_SYNONYMS,
  CATEGORY_SYNONYMS,
  MAX_STANDARD_CHARS,
  MAX_TITLE_CHARS,
  assertAdminOrOwner,
  assertOpen,
  cadreNames,
  courtyardNames,
  originalDeadline,
  projectCourtyard,
  projectMovedError,
  recordProgress,
} from '../src/services/projects';
import { completionDetails, completionText, deadlineLine, deadlineText, projectCard } from '../src/render/projects';
import { listingLabel, scopeFilter, type Scope } from '../src/services/scope';
import cancel from './project-cancel';
import detail from './project-detail';
import edit from './project-edit';

/**
 * /项目 — fix-up projects (整治项目): published (公示) with content, standard, owner and
 * deadline, then pushed "按表推进、对表销号": 新建, 列表, 完成, 延期; corrected by 取消, 修改
 * (commands/project-cancel.ts, project-edit.ts); 详情 shows the record and its history
 * (project-detail.ts). Progress is /进度.
 */

const create = defineCommand({
  name: '新建',
  aliases: ['new', '创建', '新增'],
  summary: '新建并公示项目（内容、类别、标准、责任人、完成时限）',
  allow: ['admin', 'cadre'],
  usage: [
    '/项目 新建 路面硬化 类别=工程 截止=9月20日 责任人=张三',
    '/项目 新建 楼道照明 类别=工程 截止=9月30日 责任人=张三 领域=安全 标准=每层有灯 楼院=东方花园',
  ],
  args: z.object({
    title: arg.word('内容'),
    category: arg.choice('类别', PROJECT_CATEGORIES, CATEGORY_SYNONYMS),
    deadline: arg.date('截止', { future: true }),
    owner: arg.person('责任人'),
    area: arg.choice('领域', TASK_AREAS, AREA_SYNONYMS).optional(),
    courtyard: arg.courtyard().optional(),
    standard: arg.text('标准').optional(),
  }),
  keys: {
    内容: 'title',
    名称: 'title',
    标题: 'title',
    类别: 'category',
    类型: 'category',
    截止: 'deadline',
    截止日期: 'deadline',
    完成时限: 'deadline',
    时限: 'deadline',
    责任人: 'owner',
    负责人: 'owner',
    领域: 'area',
    任务: 'area',
    楼院: 'courtyard',
    标准: 'standard',
    整治标准: 'standard',
  },
  async run(ctx, { title, category, deadline, owner, area, courtyard: given, standard }) {
    const { models, now } = ctx;
    const courtyard = ctx.courtyardOrDefault(given);
    await ctx.assertInScope({ courtyard });
    if ([...title].length > MAX_TITLE_CHARS) ctx.fail(`项目内容不超过 ${MAX_TITLE_CHARS} 个字，详细要求请写在「标准=」里`);
    if (/^#?\d+号?$/.test(title)) ctx.fail('项目内容不能只是数字，请写要做的事，如 路面硬化');
    if (standard && [...standard].length > MAX_STANDARD_CHARS) ctx.fail(`整治标准不超过 ${MAX_STANDARD_CHARS} 个字`);
    if (!owner.active) ctx.fail(`${owner.name}（${owner.unit}）已不在花名册中，请另选责任人`);

    const twin = await models.Project.findOne({ courtyard: courtyard._id, title, status: { $in: [...OPEN_PROJECT_STATUSES] } });
    if (twin) throw new UserError(`${courtyard.name} 已有进行中的项目 #${twin.no} ${twin.title}，不必重复新建`);

    const project = await ctx.audit
      .create(models.Project, async () => ({
        no: await nextSequence(models, 'project'),
        courtyard: courtyard._id,
        street: courtyard.street,
        category,
        area,
        title,
        standard: standard ?? '',
        owner: owner._id,
        deadline,
      }))
      .catch(async (err: unknown) => {
        // The unique open title per courtyard: the same project was published a moment ago.
        if (!isDuplicateKey(err)) throw err;
        const won = await models.Project.findOne({ courtyard: courtyard._id, title, status: { $in: [...OPEN_PROJECT_STATUSES] } });
        if (!won) throw err;
        throw new UserError(`${courtyard.name} 的项目 #${won.no} ${won.title} 刚刚已由 ${await nameOfUser(models, won.createdBy)} 新建，不必重复新建`);
      });
    const lines = ['✅ 项目已公示', await projectCard(models, project, now)];
    if (!owner.userId) lines.push(font('comment', `${owner.name} 还没有关联企业微信，发送 /登记 后即可报进度`));
    lines.push(`按表推进：\`/进度 #${project.no} 50% 完成情况\``);
    return lines.join('\n');
  },
});

type ListStatus = '进行中' | '逾期' | '已完成' | '已取消' | '全部';
const STATUS_WORDS: Record<string, ListStatus> = {
  进行中: '进行中',
  在办: '进行中',
  未完成: '进行中',
  逾期: '逾期',
  已逾期: '逾期',
  超期: '逾期',
  已完成: '已完成',
  完成: '已完成',
  已销号: '已完成',
  已取消: '已取消',
  取消: '已取消',
  全部: '全部',
  所有: '全部',
};

type ListWord = { status: ListStatus } | { page: number } | { place: Exclude<Scope, { kind: 'none' }>; text: string };

/** One word of `/项目 列表`: a status, a page number or a place, in any order. */
const listWord = (label: string) =>
  userArg(label, async (text, ctx): Promise<ListWord> => {
    const status = STATUS_WORDS[text];
    if (status) return { status };
    const page = /^(?:第)?(\d{1,4})页?$/.exec(text);
    if (page) return { page: Number(page[1]) };
    return { place: await findPlace(argModels(ctx), text, ctx.scope), text };
  });

const statusFilter = (status: ListStatus, now: Date): QueryFilter<Project> => {
  if (status === '进行中') return { status: { $in: [...OPEN_PROJECT_STATUSES] } };
  if (status === '逾期') return { status: { $in: [...OPEN_PROJECT_STATUSES] }, deadline: { $lt: startOfBeijingDay(now) } };
  if (status === '已完成') return { status: '已完成' };
  if (status === '已取消') return { status: '已取消' };
  return {};
};

const list = defineCommand({
  name: '列表',
  aliases: ['list', '清单'],
  summary: '项目清单：进度、截止日期、剩余或逾期天数',
  allow: 'anyone',
  usage: ['/项目 列表', '/项目 列表 逾期', '/项目 列表 济源路 已完成 2', '/项目 列表 已取消'],
  args: z.object({ a: listWord('条件').optional(), b: listWord('条件').optional(), c: listWord('条件').optional() }),
  async run(ctx, { a, b, c }) {
    const { models, now } = ctx;
    const words = [a, b, c].filter((w): w is ListWord => w !== undefined);
    const places = words.filter((w) => 'place' in w);
    const statuses = words.filter((w) => 'status' in w);
    const pages = words.filter((w) => 'page' in w);
    if (places.length > 1 || statuses.length > 1 || pages.length > 1) ctx.fail('范围、状态、页码各写一个');
    const named = places[0];
    // Only what the caller may read here (src/services/chat-visibility.ts).
    const view = chatVisibility(ctx.caller, ctx.scope);
    const refuse = () => new PermissionError(invisibleText(ctx.scope, Boolean(ctx.caller.cadre) || ctx.caller.roles.size > 0));
    if (named && !canSee(view, placeTarget(named.place)!)) throw refuse();
    let scope: Scope = named?.place ?? ctx.scope;
    if (scope.kind === 'none' && ctx.defaultCourtyard) scope = { kind: 'courtyard', courtyard: ctx.defaultCourtyard, street: null };
    const status = statuses[0]?.status ?? '进行中';
    let where: QueryFilter<Project> = scopeFilter(scope);
    let label = listingLabel(scope);
    if (scope.kind === 'none') {
      // A 1:1 chat or an unbound group: what the caller looks after.
      if (seesNothing(view)) throw refuse();
      where = visibleFilter(view) as QueryFilter<Project>;
      if (!view.district) label = '我负责的范围';
    }

    const [projects, open, overdue, done, cancelled] = await Promise.all([
      models.Project.find({ ...where, ...statusFilter(status, now) }).sort(
        status === '已完成' ? { completedAt: -1, no: -1 } : status === '已取消' ? { cancelledAt: -1, no: -1 } : { deadline: 1, no: 1 },
      ),
      models.Project.countDocuments({ ...where, ...statusFilter('进行中', now) }),
      models.Project.countDocuments({ ...where, ...statusFilter('逾期', now) }),
      models.Project.countDocuments({ ...where, ...statusFilter('已完成', now) }),
      models.Project.countDocuments({ ...where, ...statusFilter('已取消', now) }),
    ]);
    // 全部: open first, then completed, then cancelled.
    const rank = (p: { status: string }) => (p.status === '已取消' ? 2 : p.status === '已完成' ? 1 : 0);
    if (status === '全部') projects.sort((x, y) => rank(x) - rank(y));
    const owners = await cadreNames(models, projects.map((p) => p.owner));
    const yards = scope.kind === 'courtyard' ? new Map<string, string>() : await courtyardNames(models, projects.map((p) => p.courtyard));
    const lines = projects.map((p) => {
      const who = [yards.get(String(p.courtyard)), owners.get(String(p.owner))].filter((s): s is string => Boolean(s));
      const head = [bold(`#${p.no} ${escapeMarkdown(p.title)}`), ...who.map(escapeMarkdown)].join(' · ');
      return `${head}\n${progressBar(p.percent)} · ${deadlineLine(p, now)}`;
    });

    const summary = `进行中 ${open} · ${overdue ? font('warning', `逾期 ${overdue}`) : '逾期 0'} · 已完成 ${done}${cancelled ? ` · 已取消 ${cancelled}` : ''}`;
    const header = [bold(`${escapeMarkdown(label)} · 项目${status === '全部' ? '' : `（${status}）`}`), summary];
    if (lines.length === 0) {
      return [...header, font('comment', status === '进行中' ? '没有进行中的项目。新建：`/项目 新建 内容 类别=工程 截止=9月20日 责任人=张三`' : `没有${status}的项目`)].join('\n');
    }
    const again = ['/项目 列表', named?.text, statuses.length ? status : undefined].filter(Boolean).join(' ');
    return paginate({
      header,
      lines,
      page: pages[0]?.page ?? 1,
      footer: (p, n) => (p < n ? `第 ${p}/${n} 页，下一页：\`${again} ${p + 1}\`` : `第 ${p}/${n} 页`),
    }).markdown;
  },
});

const complete = defineCommand({
  name: '完成',
  aliases: ['done', '销号'],
  summary: '项目完成销号（100%），记下是否按时',
  allow: ['admin', 'cadre'],
  usage: ['/项目 完成 #12', '/项目 完成 #12 已通过验收'],
  args: z.object({ project: arg.project(), note: arg.text('说明').optional() }),
  keys: { 项目: 'project', 说明: 'note', 备注: 'note' },
  async run(ctx, { project, note }) {
    const courtyard = await projectCourtyard(ctx.models, project);
    await ctx.assertInScope({ courtyard, owner: project.owner });
    await assertOpen(ctx.models, project, ctx.now);
    const { project: done } = await recordProgress(ctx, project, courtyard, 100, note ?? '');
    const lines = [`🎉 项目 #${done.no} ${bold(escapeMarkdown(done.title))} ${completionText(done, ctx.now)}`, ...completionDetails(done, ctx.now)];
    if (note) lines.push(`说明：${escapeMarkdown(note)}`);
    return lines.join('\n');
  },
});

/*
 * Who may postpone: an admin covering the courtyard, or the project's owner. The owner is
 * the one who answers for the deadline and first knows it will slip; other cadres of the
 * courtyard report progress but do not move a commitment someone else made. A postponement
 * always carries a reason and is kept (old and new deadline, who, when), and the original
 * deadline stays known, so the on-time rate cannot be quietly reset.
 */
const postpone = defineCommand({
  name: '延期',
  aliases: ['postpone', 'delay'],
  summary: '项目延期（管理员或项目责任人；须写原因，延期记录保留）',
  allow: ['admin', 'cadre'],
  usage: ['/项目 延期 #12 10月15日 原因=材料未到', '/项目 延期 #12 新截止=10月15日 原因=雨季停工'],
  args: z.object({ project: arg.project(), deadline: arg.date('新截止', { future: true }), reason: arg.text('原因') }),
  keys: { 项目: 'project', 新截止: 'deadline', 截止: 'deadline', 延至: 'deadline', 延期至: 'deadline', 原因: 'reason', 理由: 'reason' },
  async run(ctx, { project, deadline, reason }) {
    const { models, now } = ctx;
    const courtyard = await projectCourtyard(models, project);
    await assertAdminOrOwner(ctx, courtyard, project.owner);
    await assertOpen(ctx.models, project, ctx.now);
    if ([...reason].length > MAX_STANDARD_CHARS) ctx.fail(`原因不超过 ${MAX_STANDARD_CHARS} 个字`);
    const from = project.deadline ?? startOfBeijingDay(now);
    if (deadline <= from) ctx.fail(`新的截止日期应晚于现在的 ${formatDay(from, now)}`);

    // Guarded on the deadline read: of two postponements at once, the second is told the first's.
    const updated = await ctx.audit.update(
      models.Project,
      { _id: project._id, status: { $in: [...OPEN_PROJECT_STATUSES] }, deadline: project.deadline ?? null },
      { $set: { deadline, status: '已延期' }, $push: { postponements: { from, to: deadline, reason, by: ctx.caller.userId, at: now } } },
    );
    if (!updated) throw await projectMovedError(models, project._id, now);
    const times = updated.postponements.length;
    return [
      `⏳ 项目 #${updated.no} ${bold(escapeMarkdown(updated.title))} 延期至 ${bold(formatDay(deadline, now))}（${deadlineText(deadline, now)}）`,
      `原截止：${formatDay(from, now)} · 第 ${times} 次延期`,
      `原因：${escapeMarkdown(reason)}`,
      `进度：${progressBar(updated.percent)}`,
      font('comment', `延期已记录，原定时限 ${formatDay(originalDeadline(updated)!, now)} 保留备查`),
    ].join('\n');
  },
});

export default defineCommand({
  name: '项目',
  aliases: ['project'],
  summary: '整治项目：新建公示、清单、完成销号、延期、取消、修改、详情',
  subcommands: [create, list, complete, postpone, cancel, edit, detail],
  defaultSubcommand: '列表',
});
