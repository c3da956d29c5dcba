/**
 * The status cards of /查询: a courtyard's, a street office's or the district's figures, and
 * one person's duties this week. The headline is the last published week's score and rank
 * (what the weekly push said), the running week beside it (src/services/headline.ts); the
 * figures are a courtyard's figures (src/services/figures.ts), milestones as /节点 counts
 * them (src/services/milestones.ts). Rendered as WeCom markdown, paged to one message each.
 */
import type { Types } from 'mongoose';
import { bold, escapeMarkdown, font, MAX_REPLY_BYTES, paginate, progressBar, utf8Bytes, type Page } from '../text/markdown';
import type { CadreDoc, CourtyardDoc, GroupDoc, Models, StreetDoc } from '../db/models';
import { OPEN_PROJECT_STATUSES } from '../db/models/project';
import type { DeadPushQuery } from '../wecom/outbox';
import { addBeijingDays, formatDateTime, formatDay, startOfBeijingDay, startOfBeijingWeek } from './beijing-time';
import type { WorkingCalendar } from './calendar';
import { meanProgress, scopeFigures, sumFigures, type Figures } from './figures';
import { headline, type Headline } from './headline';
import { milestoneCourtyardDone } from './milestones';
import { isProjectLate, isRequestLate } from './overdue';
import { weekPeriod } from './period';
import { formatScore, partText, SCORE_PART_NAMES, SCORE_PARTS, VISIT_HOURS_PER_WEEK, type ScoreWeights } from './score';
import { rankChange } from './snapshots';

export type { Figures };

export interface CardOptions {
  now: Date;
  calendar: WorkingCalendar;
  weights?: ScoreWeights;
  /** 1-based page of a long card. */
  page?: number;
  /** The command line that shows the next page, without the page number: `/查询 东方花园`. */
  moreCommand: string;
  /** Push problems of the scope, for admins (see {@link pushProblems}); shown at the end. */
  problems?: string[];
}

const rateText = (r: number | null) => (r === null ? '—' : `${r}%`);
const hoursText = (h: number) => `${Number.isInteger(h) ? h : h.toFixed(1)}小时`;

function orgsLine(o: Figures['orgs'], yards: number): string {
  const full = o.full === yards;
  return `三类组织：党组织 ${o.party}/${yards} · 自治组织 ${o.selfGov}/${yards} · 志愿队 ${o.volunteer}/${yards} · ${full ? font('info', '全覆盖') : font('warning', `全覆盖 ${o.full}/${yards}`)}`;
}

function projectsLine(f: Figures): string {
  const p = f.projects;
  if (p.total === 0) return '整治项目：暂无';
  const late = f.overdue.project ? ` · ${font('warning', `逾期 ${f.overdue.project}`)}` : '';
  return `整治项目：${p.total} 个 · 已完成 ${p.done}${late}\n平均进度 ${progressBar(meanProgress(f)!)}`;
}

function requestsLine(f: Figures): string {
  const r = f.requests;
  if (r.total === 0) return '民情诉求：暂无';
  const late = f.overdue.request ? ` · ${font('warning', `超期未反馈 ${f.overdue.request}`)}` : '';
  return [
    `民情诉求：${r.total} 件 · 未办结 ${r.total - r.closed}${late}`,
    `反馈率 ${rateText(r.feedbackRate)} · 办结率 ${rateText(r.completionRate)} · 满意率 ${rateText(r.satisfactionRate)}`,
  ].join('\n');
}

/** The published week's line and the running week's line. */
function headlineLines(h: Headline, now: Date): string[] {
  const lines: string[] = [];
  const p = h.published;
  if (!p) lines.push(font('comment', '周排名尚未发布（每周一 9:00 推送后这里显示已发布的得分）'));
  else {
    const last = weekPeriod(now, -1).start.getTime() === p.snapshot.periodStart.getTime();
    const when = `${last ? '上周' : ''}（${p.label}${p.snapshot.version > 1 ? `，第${p.snapshot.version}版` : ''}）`;
    const arrow = rankChange({ rank: p.row.rank ?? 0, previousRank: p.row.previousRank, isNew: p.row.isNew });
    const place = p.row.rank !== undefined && p.of ? ` · ${p.peers}第 ${p.row.rank}/${p.of} 名` : '';
    lines.push(`${when}综合得分 ${bold(formatScore(p.row.score))}${place}${arrow ? ` ${arrow}` : ''}`);
  }
  const r = h.running.row;
  lines.push(font('comment', `${h.running.label}：${SCORE_PARTS.map((k) => `${SCORE_PART_NAMES[k]} ${partText(r, k)}`).join(' · ')}`));
  return lines;
}

/**
 * Paging options for a list whose next page is `command N`. paginate() sizes the footer by
 * its last page, which has no "next page" hint: the hint's room is kept aside here.
 */
export function pageFooter(command: string): { footer: (p: number, n: number) => string; maxBytes: number } {
  const hint = (p: number) => `，发送 \`${command} ${p}\` 看下一页`;
  return {
    footer: (p, n) => font('comment', `第 ${p}/${n} 页${p < n ? hint(p + 1) : ''}`),
    maxBytes: MAX_REPLY_BYTES - utf8Bytes(hint(999)),
  };
}

type Yard = Pick<CourtyardDoc, '_id' | 'name' | 'street' | 'orgs' | 'orgHistory'>;

/** Milestones that reach a courtyard of `yards`, with how many of those courtyards have done each (as /节点 counts). */
async function milestoneLines(models: Models, yards: Yard[], now: Date): Promise<string[]> {
  if (yards.length === 0) return [];
  const streets = [...new Set(yards.map((y) => String(y.street)))];
  const milestones = await models.Milestone.find({
    $or: [
      { 'scope.kind': 'district' },
      { 'scope.kind': 'street', 'scope.refId': { $in: streets } },
      { 'scope.kind': 'courtyard', 'scope.refId': { $in: yards.map((y) => y._id) } },
    ],
  })
    .sort({ deadline: 1 })
    .lean();
  const today = startOfBeijingDay(now);
  const lines: string[] = [];
  for (const m of milestones) {
    const reached = yards.filter((y) =>
      m.scope.kind === 'district' ? true : m.scope.kind === 'street' ? y.street.equals(m.scope.refId!) : y._id.equals(m.scope.refId!),
    );
    if (reached.length === 0) continue;
    const done = reached.filter((y) => milestoneCourtyardDone(m, y, now).done).length;
    if (done === reached.length) continue;
    const missed = m.deadline < today;
    const state = reached.length === 1 ? '未完成' : `完成 ${done}/${reached.length}`;
    const when = `${formatDay(m.deadline, now)}前`;
    lines.push(`${missed ? font('warning', `⚠ ${when}`) : when} ${escapeMarkdown(m.title)} · ${missed ? font('warning', state) : state}`);
  }
  return lines;
}

/** The card of one courtyard. */
export async function courtyardCard(models: Models, courtyard: CourtyardDoc, opts: CardOptions): Promise<Page> {
  const { now } = opts;
  const [street, g, h] = await Promise.all([
    models.Street.findById(courtyard.street).select({ name: 1 }).lean(),
    scopeFigures(models, { courtyardId: String(courtyard._id) }, now),
    headline(models, { kind: 'courtyard', courtyard, street: null }, now, opts.weights),
  ]);
  const f = g.byYard.get(String(courtyard._id))!;
  const o = f.orgState;
  const orgText = (x: { status: string; kind?: string | null }) => (x.status === '已建' && x.kind ? `已建（${x.kind}）` : x.status);

  const header = [
    `${bold(`📋 ${escapeMarkdown(courtyard.name)}`)}${street ? font('comment', ` · ${escapeMarkdown(street.name)}`) : ''}`,
    ...headlineLines(h, now),
    `三类组织：党组织 ${orgText(o.party)} · 自治组织 ${orgText(o.selfGov)} · 志愿队 ${o.volunteerTeams} 支 · ${f.orgs.full ? font('info', '全覆盖') : font('warning', '未全覆盖')}`,
    projectsLine(f),
  ];

  const active = await models.Project.find({ courtyard: courtyard._id, status: { $in: [...OPEN_PROJECT_STATUSES] } })
    .sort({ deadline: 1, no: 1 })
    .select({ no: 1, title: 1, percent: 1, deadline: 1, owner: 1, status: 1 })
    .lean();
  const owners = new Map(
    (await models.Cadre.find({ _id: { $in: active.flatMap((p) => (p.owner ? [p.owner] : [])) } }).select({ name: 1 }).lean()).map((c) => [String(c._id), c.name]),
  );
  const late = new Set(g.overdue.filter((i) => i.kind === 'project').map((i) => i.id));
  const lines = active.map((p) => {
    const due = p.deadline ? `截止${formatDay(p.deadline, now)}` : '未定截止';
    const who = p.owner ? ` · ${escapeMarkdown(owners.get(String(p.owner)) ?? '')}` : '';
    return `#${p.no} ${escapeMarkdown(p.title)} ${progressBar(p.percent)} · ${late.has(String(p._id)) ? font('warning', `${due} 已逾期`) : due}${p.status === '已延期' ? '（已延期）' : ''}${who}`;
  });

  lines.push(requestsLine(f));
  const here = g.cadres.map((c) => ({ name: c.name, hours: c.hoursAt.get(String(courtyard._id)) ?? 0 }));
  if (here.length === 0) lines.push('分包干部：未分配');
  else {
    lines.push(`分包干部（本周在本楼院下沉 ${f.cadres.met}/${f.cadres.total}）：`);
    lines.push(
      here
        .map(({ name, hours }) =>
          hours >= VISIT_HOURS_PER_WEEK ? `${escapeMarkdown(name)} ✅${hoursText(hours)}` : `${escapeMarkdown(name)} ${font('warning', hours ? `⚠${hoursText(hours)}` : '⚠未下沉')}`,
        )
        .join(' · '),
    );
  }
  const milestones = await milestoneLines(models, [courtyard], now);
  if (milestones.length) lines.push('节点任务：', ...milestones);
  if (opts.problems?.length) lines.push(...opts.problems);
  return paginate({ header, lines, page: opts.page, ...pageFooter(opts.moreCommand) });
}

/** How many lowest-scoring courtyards a street or district card lists. */
export const WORST_SHOWN = 3;

/** The card of a street office (`street`) or of the whole district (`street` null). */
export async function areaCard(models: Models, street: StreetDoc | null, opts: CardOptions): Promise<Page> {
  const { now } = opts;
  const yards = await models.Courtyard.find(street ? { street: street._id } : {}).select({ name: 1, street: 1, orgs: 1, orgHistory: 1 }).sort({ name: 1 });
  const title = street ? escapeMarkdown(street.name) : '全区';
  if (yards.length === 0) return paginate({ header: [bold(`📋 ${title}`), '还没有楼院：请管理员导入花名册（npm run import）'], lines: [] });
  const [g, h] = await Promise.all([
    scopeFigures(models, street ? { streetId: String(street._id) } : {}, now),
    headline(models, street ? { kind: 'street', street } : { kind: 'district' }, now, opts.weights),
  ]);
  const total = sumFigures(g.byYard.values());
  const n = total.courtyards;

  const header = [`${bold(`📋 ${title}`)}${font('comment', ` · ${n} 个楼院`)}`, ...headlineLines(h, now), orgsLine(total.orgs, n), projectsLine(total)];
  const lines = [requestsLine(total)];
  const met = g.cadres.filter((c) => [...c.hoursAt.values()].every((x) => x >= VISIT_HOURS_PER_WEEK)).length;
  lines.push(`分包干部：${g.cadres.length} 人 · 本周已在分包楼院下沉半天 ${met} 人${met < g.cadres.length ? ` · ${font('warning', `未下沉 ${g.cadres.length - met}`)}` : ''}`);
  if (total.overdue.milestone) lines.push(`节点任务：${font('warning', `${total.overdue.milestone} 个楼院次未按期完成`)}`);
  lines.push(...(await milestoneLines(models, yards, now)));

  if (!street) {
    // The district: one line per street office.
    const streets = await models.Street.find({ _id: { $in: [...new Set(yards.map((y) => String(y.street)))] } }).sort({ name: 1 }).lean();
    lines.push(bold('各街道：'));
    for (const s of streets) {
      const sf = sumFigures(yards.filter((y) => y.street.equals(s._id)).map((y) => g.byYard.get(String(y._id))!));
      const progress = sf.projects.total ? `进度 ${Math.round(meanProgress(sf)!)}%` : '无项目';
      lines.push(`${escapeMarkdown(s.name)} · ${sf.courtyards} 院 · ${progress} · 全覆盖 ${sf.orgs.full}/${sf.courtyards}${sf.overdue.total ? ` · ${font('warning', `逾期 ${sf.overdue.total}`)}` : ''}`);
    }
  }

  // 需关注: the lowest scores of the published week (idle courtyards included); before any publication, of the running week.
  const low = h.published ? h.published.lowest : [...h.running.courtyards].sort((a, b) => (a.score ?? -1) - (b.score ?? -1) || a.name.localeCompare(b.name, 'zh-Hans-CN'));
  if (low.length) {
    lines.push(bold(`需关注的楼院（${h.published ? `${h.published.label}得分最低` : '本周进行中得分最低'}）：`));
    for (const r of low.slice(0, WORST_SHOWN)) {
      const late = g.byYard.get(r.id)?.overdue.total ?? 0;
      lines.push(`${escapeMarkdown(r.name)} · ${formatScore(r.score)}${r.score === null ? '' : ' 分'}${r.noProjects ? ' · 无项目' : ''} · ${late ? font('warning', `逾期 ${late}`) : '无逾期'}`);
    }
  }
  if (opts.problems?.length) lines.push(...opts.problems);
  return paginate({ header, lines, page: opts.page, ...pageFooter(opts.moreCommand) });
}

/** What `cadre` owes this week: projects due or late, requests waiting for them, the half day. */
export async function myDutiesCard(models: Models, cadre: CadreDoc, opts: CardOptions): Promise<Page> {
  const { now } = opts;
  const monday = startOfBeijingWeek(now);
  const nextMonday = addBeijingDays(monday, 7);
  const yards = cadre.courtyards;
  const [projects, requests, visits, yardDocs] = await Promise.all([
    models.Project.find({
      status: { $in: [...OPEN_PROJECT_STATUSES] },
      deadline: { $lt: nextMonday },
      $or: [{ owner: cadre._id }, { courtyard: { $in: yards } }],
    })
      .sort({ deadline: 1, no: 1 })
      .lean(),
    models.ResidentRequest.find({
      $or: [
        { assignee: cadre._id, status: { $in: ['已接单', '已反馈'] } },
        { courtyard: { $in: yards }, status: '点单' },
      ],
    })
      .sort({ dueAt: 1, no: 1 })
      .lean(),
    models.Visit.aggregate<{ hours: number }>([
      { $match: { cadre: cadre._id, date: { $gte: monday, $lt: nextMonday } } },
      { $group: { _id: null, hours: { $sum: '$hours' } } },
    ]),
    models.Courtyard.find({ _id: { $in: yards } }).select({ name: 1 }).sort({ name: 1 }).lean(),
  ]);
  const hours = visits[0]?.hours ?? 0;
  const yardName = new Map(yardDocs.map((y) => [String(y._id), y.name]));
  const several = yardDocs.length > 1;
  const where = (id: Types.ObjectId) => (several ? font('comment', ` · ${escapeMarkdown(yardName.get(String(id)) ?? '')}`) : '');

  const header = [
    bold(`📌 ${escapeMarkdown(cadre.name)} 本周待办`),
    font('comment', `分包楼院：${yardDocs.length ? yardDocs.map((y) => escapeMarkdown(y.name)).join('、') : '无'}`),
    hours >= VISIT_HOURS_PER_WEEK
      ? `下沉：${font('info', `✅ 本周已下沉 ${hoursText(hours)}`)}`
      : `下沉：${font('warning', `⚠ 本周${hours ? `仅 ${hoursText(hours)}` : '尚未下沉'}，至少半天（${VISIT_HOURS_PER_WEEK}小时）`)} · 发送 \`/下沉 半天 清理杂物\``,
  ];
  const lines: string[] = [];
  lines.push(projects.length ? bold(`项目（本周到期或已逾期 ${projects.length}）：`) : '项目：本周没有到期的项目');
  for (const p of projects) {
    const late = isProjectLate(p, now);
    const due = `截止${formatDay(p.deadline!, now)}`;
    lines.push(`#${p.no} ${escapeMarkdown(p.title)} ${progressBar(p.percent)} · ${late ? font('warning', `${due} 已逾期`) : due}${where(p.courtyard)}`);
  }
  lines.push(requests.length ? bold(`诉求（待处理 ${requests.length}）：`) : '诉求：没有待处理的诉求');
  for (const r of requests) {
    const step = r.status === '点单' ? '待接单' : r.status === '已接单' ? '待反馈' : '待办结';
    const late = isRequestLate(r, now);
    const due = r.status === '已反馈' ? '' : ` · ${late ? font('warning', `反馈已超期（${formatDateTime(r.dueAt, now)}）`) : `反馈期限 ${formatDay(r.dueAt, now)}`}`;
    lines.push(`#${r.no} ${escapeMarkdown([...r.text].slice(0, 30).join(''))} · ${step}${due}${where(r.courtyard)}`);
  }
  return paginate({ header, lines, page: opts.page, ...pageFooter(opts.moreCommand) });
}

/** Problems with pushes into the groups of a scope, for admins: webhooks WeCom called invalid, and pushes given up in the last week. */
export async function pushProblems(
  models: Models,
  scope: { courtyard?: CourtyardDoc; street?: StreetDoc },
  now: Date,
  deadPushes: DeadPushQuery,
): Promise<string[]> {
  let groupFilter: Record<string, unknown> = {};
  if (scope.courtyard) groupFilter = { 'scope.kind': 'courtyard', 'scope.refId': scope.courtyard._id };
  else if (scope.street) {
    const yardIds = (await models.Courtyard.find({ street: scope.street._id }).select({ _id: 1 }).lean()).map((y) => y._id);
    groupFilter = {
      $or: [
        { 'scope.kind': 'street', 'scope.refId': scope.street._id },
        { 'scope.kind': 'courtyard', 'scope.refId': { $in: yardIds } },
      ],
    };
  }
  const groups = await models.Group.find({ ...groupFilter, active: true, webhookUrl: { $exists: true } }).lean();
  const since = new Date(now.getTime() - 7 * 86_400_000);
  const invalid = groups.filter((g) => g.webhookInvalidAt);
  const dead =
    scope.courtyard || scope.street
      ? (await Promise.all(groups.map((g) => deadPushes({ webhookUrl: g.webhookUrl!, since, limit: 5 })))).flat()
      : await deadPushes({ since, limit: 20 });
  if (invalid.length === 0 && dead.length === 0) return [];
  const name = (g: Pick<GroupDoc, 'name' | 'chatId'>) => escapeMarkdown(g.name ?? g.chatId);
  const lines = [bold('推送异常（管理员可见）：')];
  for (const g of invalid) {
    lines.push(font('warning', `群「${name(g)}」推送地址已失效（${formatDay(g.webhookInvalidAt!, now)}），请在该群重新 /绑定 … webhook=新地址`));
  }
  if (dead.length) {
    lines.push(font('warning', `近 7 天 ${dead.length} 条推送发送失败已放弃：`));
    for (const d of dead.slice(0, 3)) lines.push(`${formatDateTime(d.diedAt, now)} ${escapeMarkdown(d.preview)} · ${escapeMarkdown(d.lastError.slice(0, 40))}`);
  }
  return lines;
}
