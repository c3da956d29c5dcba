/**
 * The status cards of /查询: a courtyard's, a street office's or the district's figures, and
 * one person's duties this week. Figures are gathered per courtyard with indexed queries
 * (projects and requests by courtyard or street, this week's visits by cadre) and rendered
 * as WeCom markdown, paged to one message each.
 */
import { Types } from 'mongoose';
import { bold, escapeMarkdown, font, MAX_REPLY_BYTES, paginate, percentOf, progressBar, utf8Bytes, type Page } from '../bot/markdown';
import type { CadreDoc, CourtyardDoc, GroupDoc, Models, StreetDoc } from '../db/models';
import { OPEN_PROJECT_STATUSES } from '../db/models/project';
import { listDeadPushes } from '../wecom/outbox';
import { addBeijingDays, formatDateTime, formatDay, startOfBeijingDay, startOfBeijingWeek } from './beijing-time';
import type { WorkingCalendar } from './calendar';
import { findOverdue, type OverdueItem } from './overdue';
import { VISIT_HOURS_PER_WEEK } from './score';

/** The figures of one courtyard, or summed over an area. */
export interface Figures {
  courtyards: number;
  /** Courtyards with each organisation built (volunteers: at least one team), and with all three. */
  orgs: { party: number; selfGov: number; volunteer: number; full: number };
  /** Projects not cancelled; `percentSum` counts completed ones as 100. */
  projects: { total: number; done: number; percentSum: number; overdue: number };
  requests: { total: number; open: number; answered: number; closed: number; rated: number; satisfied: number; overdue: number };
  /** Assigned cadres, and those with their half day logged this week. */
  cadres: { total: number; met: number };
  /** Courtyards that missed a milestone's deadline (one per courtyard and milestone). */
  missedMilestones: number;
}

export interface CardOptions {
  now: Date;
  calendar: WorkingCalendar;
  /** 1-based page of a long card. */
  page?: number;
  /** The command line that shows the next page, without the page number: `/查询 东方花园`. */
  moreCommand: string;
  /** Push problems of the scope, for admins (see {@link pushProblems}); shown at the end. */
  problems?: string[];
}

const emptyFigures = (): Figures => ({
  courtyards: 0,
  orgs: { party: 0, selfGov: 0, volunteer: 0, full: 0 },
  projects: { total: 0, done: 0, percentSum: 0, overdue: 0 },
  requests: { total: 0, open: 0, answered: 0, closed: 0, rated: 0, satisfied: 0, overdue: 0 },
  cadres: { total: 0, met: 0 },
  missedMilestones: 0,
});

function addFigures(into: Figures, f: Figures): Figures {
  into.courtyards += f.courtyards;
  for (const k of ['party', 'selfGov', 'volunteer', 'full'] as const) into.orgs[k] += f.orgs[k];
  for (const k of ['total', 'done', 'percentSum', 'overdue'] as const) into.projects[k] += f.projects[k];
  for (const k of ['total', 'open', 'answered', 'closed', 'rated', 'satisfied', 'overdue'] as const) into.requests[k] += f.requests[k];
  into.cadres.total += f.cadres.total;
  into.cadres.met += f.cadres.met;
  into.missedMilestones += f.missedMilestones;
  return into;
}

type Yard = Pick<CourtyardDoc, '_id' | 'name' | 'street' | 'orgs'>;
type AreaFilter = { courtyard?: Types.ObjectId; street?: Types.ObjectId };

interface Gathered {
  byYard: Map<string, Figures>;
  overdue: OverdueItem[];
  /** Cadres of the courtyards with this week's hours. */
  cadres: { cadre: Pick<CadreDoc, '_id' | 'name' | 'courtyards'>; hours: number }[];
}

/** Figures per courtyard for `yards` (all in `filter`). */
async function gather(models: Models, yards: Yard[], filter: AreaFilter, opts: { now: Date; calendar: WorkingCalendar }): Promise<Gathered> {
  const byYard = new Map<string, Figures>();
  for (const y of yards) {
    const f = emptyFigures();
    f.courtyards = 1;
    const party = y.orgs.party.status === '已建';
    const selfGov = y.orgs.selfGov.status === '已建';
    const volunteer = y.orgs.volunteerTeams > 0;
    f.orgs = { party: +party, selfGov: +selfGov, volunteer: +volunteer, full: +(party && selfGov && volunteer) };
    byYard.set(String(y._id), f);
  }
  const yardIds = yards.map((y) => y._id);
  type ProjectGroup = { _id: Types.ObjectId; total: number; done: number; percentSum: number };
  type RequestGroup = { _id: Types.ObjectId; total: number; open: number; answered: number; closed: number; rated: number; satisfied: number };
  const monday = startOfBeijingWeek(opts.now);
  const [projects, requests, overdue, cadres] = await Promise.all([
    models.Project.aggregate<ProjectGroup>([
      { $match: { ...filter, status: { $in: [...OPEN_PROJECT_STATUSES, '已完成'] } } },
      {
        $group: {
          _id: '$courtyard',
          total: { $sum: 1 },
          done: { $sum: { $cond: [{ $eq: ['$status', '已完成'] }, 1, 0] } },
          percentSum: { $sum: { $cond: [{ $eq: ['$status', '已完成'] }, 100, '$percent'] } },
        },
      },
    ]),
    models.ResidentRequest.aggregate<RequestGroup>([
      { $match: filter.courtyard ? { courtyard: filter.courtyard } : filter.street ? { street: filter.street } : {} },
      {
        $group: {
          _id: '$courtyard',
          total: { $sum: 1 },
          open: { $sum: { $cond: [{ $eq: ['$status', '已办结'] }, 0, 1] } },
          answered: { $sum: { $cond: [{ $in: ['$status', ['已反馈', '已办结']] }, 1, 0] } },
          closed: { $sum: { $cond: [{ $eq: ['$status', '已办结'] }, 1, 0] } },
          rated: { $sum: { $cond: [{ $in: ['$rating', ['满意', '基本满意', '不满意']] }, 1, 0] } },
          satisfied: { $sum: { $cond: [{ $in: ['$rating', ['满意', '基本满意']] }, 1, 0] } },
        },
      },
    ]),
    findOverdue(models, {
      scope: { courtyardId: filter.courtyard, streetId: filter.street },
      now: opts.now,
      calendar: opts.calendar,
      kinds: ['project', 'request', 'milestone'],
    }),
    models.Cadre.find({ courtyards: { $in: yardIds }, roles: 'cadre', active: true }).select({ name: 1, courtyards: 1, userId: 1 }).sort({ name: 1 }).lean(),
  ]);
  const hours = cadres.length
    ? await models.Visit.aggregate<{ _id: Types.ObjectId; hours: number }>([
        { $match: { cadre: { $in: cadres.map((c) => c._id) }, date: { $gte: monday, $lt: addBeijingDays(monday, 7) } } },
        { $group: { _id: '$cadre', hours: { $sum: '$hours' } } },
      ])
    : [];
  const hoursOf = new Map(hours.map((h) => [String(h._id), h.hours]));

  for (const p of projects) {
    const f = byYard.get(String(p._id));
    if (f) Object.assign(f.projects, { total: p.total, done: p.done, percentSum: p.percentSum });
  }
  for (const r of requests) {
    const f = byYard.get(String(r._id));
    if (f) Object.assign(f.requests, { total: r.total, open: r.open, answered: r.answered, closed: r.closed, rated: r.rated, satisfied: r.satisfied });
  }
  for (const item of overdue) {
    const f = byYard.get(item.courtyardId);
    if (!f) continue;
    if (item.kind === 'project') f.projects.overdue++;
    else if (item.kind === 'request') f.requests.overdue++;
    else if (item.kind === 'milestone') f.missedMilestones++;
  }
  const withHours = cadres.map((cadre) => ({ cadre, hours: hoursOf.get(String(cadre._id)) ?? 0 }));
  for (const { cadre, hours: h } of withHours) {
    // A cadre of several courtyards counts once in each.
    for (const id of cadre.courtyards) {
      const f = byYard.get(String(id));
      if (!f) continue;
      f.cadres.total++;
      if (h >= VISIT_HOURS_PER_WEEK) f.cadres.met++;
    }
  }
  return { byYard, overdue, cadres: withHours };
}

const pct = (n: number, d: number) => (d === 0 ? '—' : `${percentOf(n, d)}%`);
const hoursText = (h: number) => `${Number.isInteger(h) ? h : h.toFixed(1)}小时`;

function orgsLine(o: Figures['orgs'], yards: number): string {
  const full = o.full === yards;
  return `三类组织：党组织 ${o.party}/${yards} · 自治组织 ${o.selfGov}/${yards} · 志愿队 ${o.volunteer}/${yards} · ${full ? font('info', '全覆盖') : font('warning', `全覆盖 ${o.full}/${yards}`)}`;
}

function projectsLine(p: Figures['projects']): string {
  if (p.total === 0) return '整治项目：暂无';
  const late = p.overdue ? ` · ${font('warning', `逾期 ${p.overdue}`)}` : '';
  return `整治项目：${p.total} 个 · 已完成 ${p.done}${late}\n平均进度 ${progressBar(p.percentSum / p.total)}`;
}

function requestsLine(r: Figures['requests']): string {
  if (r.total === 0) return '民情诉求：暂无';
  const late = r.overdue ? ` · ${font('warning', `超期未反馈 ${r.overdue}`)}` : '';
  return [
    `民情诉求：${r.total} 件 · 未办结 ${r.open}${late}`,
    `反馈率 ${pct(r.answered, r.total)} · 办结率 ${pct(r.closed, r.total)} · 满意率 ${pct(r.satisfied, r.rated)}`,
  ].join('\n');
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

/** Milestones that reach a courtyard of `yards`, with how many of those courtyards ticked each off. */
async function milestoneLines(models: Models, yards: Yard[], now: Date): Promise<string[]> {
  if (yards.length === 0) return [];
  const streets = [...new Set(yards.map((y) => String(y.street)))].map((id) => new Types.ObjectId(id));
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
    const done = reached.filter((y) => m.done.some((d) => d.courtyard.equals(y._id))).length;
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
  const street = await models.Street.findById(courtyard.street).select({ name: 1 }).lean();
  const g = await gather(models, [courtyard], { courtyard: courtyard._id }, opts);
  const f = g.byYard.get(String(courtyard._id))!;
  const o = courtyard.orgs;
  const orgText = (x: { status: string; kind?: string | null }) => (x.status === '已建' && x.kind ? `已建（${x.kind}）` : x.status);
  const full = f.orgs.full === 1;

  const header = [
    `${bold(`📋 ${escapeMarkdown(courtyard.name)}`)}${street ? font('comment', ` · ${escapeMarkdown(street.name)}`) : ''}`,
    `三类组织：党组织 ${orgText(o.party)} · 自治组织 ${orgText(o.selfGov)} · 志愿队 ${o.volunteerTeams} 支 · ${full ? font('info', '全覆盖') : font('warning', '未全覆盖')}`,
    projectsLine(f.projects),
  ];

  const today = startOfBeijingDay(now);
  const active = await models.Project.find({ courtyard: courtyard._id, status: { $in: [...OPEN_PROJECT_STATUSES] } })
    .sort({ deadline: 1, no: 1 })
    .select({ no: 1, title: 1, percent: 1, deadline: 1, owner: 1, status: 1 })
    .lean();
  const owners = new Map(
    (await models.Cadre.find({ _id: { $in: active.flatMap((p) => (p.owner ? [p.owner] : [])) } }).select({ name: 1 }).lean()).map((c) => [String(c._id), c.name]),
  );
  const lines = active.map((p) => {
    const late = p.deadline && p.deadline < today;
    const due = p.deadline ? `截止${formatDay(p.deadline, now)}` : '未定截止';
    const who = p.owner ? ` · ${escapeMarkdown(owners.get(String(p.owner)) ?? '')}` : '';
    return `#${p.no} ${escapeMarkdown(p.title)} ${progressBar(p.percent)} · ${late ? font('warning', `${due} 已逾期`) : due}${p.status === '已延期' ? '（已延期）' : ''}${who}`;
  });

  lines.push(requestsLine(f.requests));
  const met = g.cadres.filter((c) => c.hours >= VISIT_HOURS_PER_WEEK).length;
  if (g.cadres.length === 0) lines.push('分包干部：未分配');
  else {
    lines.push(`分包干部（本周下沉 ${met}/${g.cadres.length}）：`);
    lines.push(
      g.cadres
        .map(({ cadre, hours }) =>
          hours >= VISIT_HOURS_PER_WEEK ? `${escapeMarkdown(cadre.name)} ✅${hoursText(hours)}` : `${escapeMarkdown(cadre.name)} ${font('warning', hours ? `⚠${hoursText(hours)}` : '⚠未下沉')}`,
        )
        .join(' · '),
    );
  }
  const milestones = await milestoneLines(models, [courtyard], now);
  if (milestones.length) lines.push('节点任务：', ...milestones);
  if (opts.problems?.length) lines.push(...opts.problems);
  return paginate({ header, lines, page: opts.page, ...pageFooter(opts.moreCommand) });
}

/** How many worst courtyards a street or district card lists. */
export const WORST_SHOWN = 3;

/** The card of a street office (`street`) or of the whole district (`street` null). */
export async function areaCard(models: Models, street: StreetDoc | null, opts: CardOptions): Promise<Page> {
  const { now } = opts;
  const filter: AreaFilter = street ? { street: street._id } : {};
  const yards = await models.Courtyard.find(street ? { street: street._id } : {}).select({ name: 1, street: 1, orgs: 1 }).sort({ name: 1 });
  const title = street ? escapeMarkdown(street.name) : '全区';
  if (yards.length === 0) return paginate({ header: [bold(`📋 ${title}`), '还没有楼院：请管理员导入花名册（npm run import）'], lines: [] });
  const g = await gather(models, yards, filter, opts);
  const total = emptyFigures();
  for (const f of g.byYard.values()) addFigures(total, f);
  const n = total.courtyards;

  const header = [`${bold(`📋 ${title}`)}${font('comment', ` · ${n} 个楼院`)}`, orgsLine(total.orgs, n), projectsLine(total.projects)];
  const lines = [requestsLine(total.requests)];
  const distinctCadres = g.cadres.length;
  const metCadres = g.cadres.filter((c) => c.hours >= VISIT_HOURS_PER_WEEK).length;
  lines.push(`分包干部：${distinctCadres} 人 · 本周已下沉半天 ${metCadres} 人${metCadres < distinctCadres ? ` · ${font('warning', `未下沉 ${distinctCadres - metCadres}`)}` : ''}`);
  if (total.missedMilestones) lines.push(`节点任务：${font('warning', `${total.missedMilestones} 个楼院次未按期完成`)}`);
  lines.push(...(await milestoneLines(models, yards, now)));

  if (!street) {
    // The district: one line per street office.
    const streets = await models.Street.find({ _id: { $in: [...new Set(yards.map((y) => String(y.street)))] } }).sort({ name: 1 }).lean();
    lines.push(bold('各街道：'));
    for (const s of streets) {
      const sf = emptyFigures();
      for (const y of yards) if (y.street.equals(s._id)) addFigures(sf, g.byYard.get(String(y._id))!);
      const late = sf.projects.overdue + sf.requests.overdue;
      const progress = sf.projects.total ? `进度 ${Math.round(sf.projects.percentSum / sf.projects.total)}%` : '无项目';
      lines.push(`${escapeMarkdown(s.name)} · ${sf.courtyards} 院 · ${progress} · 全覆盖 ${sf.orgs.full}/${sf.courtyards}${late ? ` · ${font('warning', `逾期 ${late}`)}` : ''}`);
    }
  }

  // The worst few: most overdue, then lowest average progress.
  const ranked = yards
    .map((y) => {
      const f = g.byYard.get(String(y._id))!;
      const late = f.projects.overdue + f.requests.overdue + f.missedMilestones;
      const avg = f.projects.total ? f.projects.percentSum / f.projects.total : 0;
      return { y, f, late, avg };
    })
    .filter((r) => r.late > 0 || r.f.projects.total > 0)
    .sort((a, b) => b.late - a.late || a.avg - b.avg || a.y.name.localeCompare(b.y.name, 'zh-Hans-CN'))
    .slice(0, WORST_SHOWN);
  if (ranked.length) {
    lines.push(bold('需关注的楼院：'));
    for (const { y, f, late, avg } of ranked) {
      const progress = f.projects.total ? `进度 ${Math.round(avg)}%` : '无项目';
      lines.push(`${escapeMarkdown(y.name)} · ${progress} · ${late ? font('warning', `逾期 ${late}`) : '无逾期'}`);
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
  const today = startOfBeijingDay(now);
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
    const late = p.deadline! < today;
    const due = `截止${formatDay(p.deadline!, now)}`;
    lines.push(`#${p.no} ${escapeMarkdown(p.title)} ${progressBar(p.percent)} · ${late ? font('warning', `${due} 已逾期`) : due}${where(p.courtyard)}`);
  }
  lines.push(requests.length ? bold(`诉求（待处理 ${requests.length}）：`) : '诉求：没有待处理的诉求');
  for (const r of requests) {
    const step = r.status === '点单' ? '待接单' : r.status === '已接单' ? '待反馈' : '待办结';
    const late = r.status !== '已反馈' && r.dueAt < now;
    const due = r.status === '已反馈' ? '' : ` · ${late ? font('warning', `反馈已超期（${formatDateTime(r.dueAt, now)}）`) : `反馈期限 ${formatDay(r.dueAt, now)}`}`;
    lines.push(`#${r.no} ${escapeMarkdown([...r.text].slice(0, 30).join(''))} · ${step}${due}${where(r.courtyard)}`);
  }
  return paginate({ header, lines, page: opts.page, ...pageFooter(opts.moreCommand) });
}

/** Problems with pushes into the groups of a scope, for admins: webhooks WeCom called invalid, and pushes given up in the last week. */
export async function pushProblems(models: Models, scope: { courtyard?: CourtyardDoc; street?: StreetDoc }, now: Date): Promise<string[]> {
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
      ? (await Promise.all(groups.map((g) => listDeadPushes(models.Group.db, { webhookUrl: g.webhookUrl!, since, limit: 5 })))).flat()
      : await listDeadPushes(models.Group.db, { since, limit: 20 });
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
