/**
 * Resident requests (民情诉求, the seeds' 四联单): 居民点单 (/诉求) › 社区下单 › 干部接单
 * (/接单) › feedback within 2 working days (/反馈) › 办结 (/办结) › 群众评单 (/评价); and the
 * figures the seeds keep: feedback rate, completion rate, satisfaction.
 *
 * The state changes live here (through the caller's audit, so /撤销 can undo them); commands
 * check who may act and format the reply. Each change filters on the state it starts from,
 * so two people acting on one request at once cannot both succeed.
 */
import type { QueryFilter, Types, UpdateQuery } from 'mongoose';
import type { Caller } from './caller';
import type { ScopeTarget } from './permissions';
import type { CourtyardDoc, Models, Rating, RequestStatus, ResidentRequest, ResidentRequestDoc } from '../db/models';
import { UserError } from '../errors';
import type { Audit, Change } from './audit';
import { countedRequests, VOIDED } from './counted';
import { formatDateTime, formatDay, beijingParts } from './beijing-time';
import type { WorkingCalendar } from './calendar';
import type { RequestLimits } from '../config';
import { nameOfUser } from './lookup';
import { admitRequest } from './rate-limit';
import { nextSequence } from './sequence';

/** 2个工作日内反馈. */
export const REQUEST_FEEDBACK_WORKING_DAYS = 2;
/** Longest request, feedback or resolution text kept (a chat line, not a report). */
export const MAX_REQUEST_TEXT = 500;

/** Who acts, when, and the audit that records it: the parts of a command context a request change needs. */
export interface RequestActor {
  models: Models;
  audit: Audit;
  now: Date;
  caller: Pick<Caller, 'userId' | 'name' | 'cadre'>;
}

/** What permissions look at: the request's courtyard (with its street) and its assignee. */
export function requestTarget(request: Pick<ResidentRequest, 'courtyard' | 'street' | 'assignee'>): ScopeTarget {
  return { courtyard: { _id: request.courtyard, street: request.street }, owner: request.assignee ?? null };
}

/** Whether feedback given at `at` meets the 2-working-day deadline. */
export function isOnTime(request: Pick<ResidentRequest, 'dueAt'>, at: Date): boolean {
  return at.getTime() <= request.dueAt.getTime();
}

const WEEKDAY_NAMES = ['', '一', '二', '三', '四', '五', '六', '日'];

/** `9月18日（周五）`: how a due day is shown. */
export function formatDueDay(due: Date, now: Date): string {
  return `${formatDay(due, now)}（周${WEEKDAY_NAMES[beijingParts(due).weekday]}）`;
}

function checkLength(text: string, what: string): string {
  const t = text.trim();
  if (t.length > MAX_REQUEST_TEXT) throw new UserError(`${what}太长（${t.length} 字），最多 ${MAX_REQUEST_TEXT} 字`);
  return t;
}

/** `10 分钟`, `1 小时`: a rate limit's window in words. */
function windowWords(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000} 天`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} 小时`;
  if (ms % 60_000 === 0) return `${ms / 60_000} 分钟`;
  return `${Math.round(ms / 1000)} 秒`;
}

/**
 * Logs a request (居民点单) for `courtyard`: the next number, status 点单, due at the end of
 * the 2nd working day after today. Refused (a UserError saying when to try again) beyond the
 * limits per sender and per courtyard (REQUEST_LIMIT_PER_SENDER / _PER_COURTYARD), counted
 * in MongoDB: each request @-mentions the courtyard's cadres and counts in its figures.
 */
export async function logRequest(
  actor: RequestActor & { calendar: WorkingCalendar },
  courtyard: Pick<CourtyardDoc, '_id' | 'street' | 'name'>,
  text: string,
  limits: RequestLimits = { perSender: null, perCourtyard: null },
  /** What the public board adds (src/board/submit.ts): the resident's category and phone. */
  extra: Partial<Pick<ResidentRequest, 'category' | 'source' | 'contactPhone'>> = {},
): Promise<ResidentRequestDoc> {
  const body = checkLength(text, '诉求内容');
  const { models, audit, now, caller, calendar } = actor;
  const refused = await admitRequest(models, limits, { sender: caller.userId, courtyard: String(courtyard._id) }, now);
  if (refused) {
    const per = `每 ${windowWords(refused.limit.windowMs)}最多 ${refused.limit.max} 条`;
    const who = refused.by === 'sender' ? '你登记诉求' : `${courtyard.name} 的诉求登记`;
    throw new UserError(`${who}太频繁了（${per}），请在 ${formatDateTime(refused.retryAt, now)} 以后再试`);
  }
  return audit.create(models.ResidentRequest, async () => ({
    no: await nextSequence(models, 'request'),
    courtyard: courtyard._id,
    street: courtyard.street,
    text: body,
    reporter: { userId: caller.userId, name: caller.name },
    status: '点单' as const,
    createdAt: now,
    dueAt: calendar.dueAfterWorkingDays(now, REQUEST_FEEDBACK_WORKING_DAYS),
    ...extra,
  }));
}

/** The UserError for a request no longer in a state that allows the step: where it stands, and who moved it there. */
export async function stateError(models: Models, id: Types.ObjectId, now: Date): Promise<UserError> {
  const current = await models.ResidentRequest.findById(id);
  if (!current) return new UserError('这条诉求已被撤销');
  return new UserError(await describeStateWithNames(models, current, now));
}

async function cadreName(models: Models, id: Types.ObjectId | null | undefined): Promise<string | undefined> {
  if (!id) return undefined;
  return (await models.Cadre.findById(id, { name: 1 }))?.name;
}

/** describeState with the names it needs looked up. */
export async function describeStateWithNames(models: Models, r: ResidentRequestDoc, now: Date): Promise<string> {
  // Who closed it, or (voided) who voided it.
  const by = r.status === '已办结' ? r.closedBy : r.status === VOIDED ? r.voidedBy : undefined;
  const closer = by ? await nameOfUser(models, by) : undefined;
  return describeState(r, now, await cadreName(models, r.assignee), closer);
}

/** `#7 已由 张三 接单（9月16日 10:00）`: where a request stands and who moved it there (`closerName`: who closed or voided it), for refusals. */
export function describeState(r: ResidentRequestDoc, now: Date, assigneeName?: string, closerName?: string): string {
  const by = (name: string | undefined) => (name ? `由 ${name} ` : '');
  switch (r.status as RequestStatus) {
    case '点单':
      return `#${r.no} 还没有人接单`;
    case '已接单':
      return `#${r.no} 已${by(assigneeName)}接单（${formatDateTime(r.acceptedAt ?? r.createdAt, now)}）`;
    case '已反馈':
      return `#${r.no} 已${by(assigneeName)}反馈（${formatDateTime(r.feedbackAt ?? r.createdAt, now)}）`;
    case '已办结':
      return `#${r.no} 已${by(closerName ?? assigneeName)}办结（${formatDateTime(r.closedAt ?? r.createdAt, now)}）`;
    case '已作废':
      return `#${r.no} 已${by(closerName)}作废（${formatDateTime(r.voidedAt ?? r.createdAt, now)}${r.voidReason ? `，原因：${r.voidReason}` : ''}）`;
  }
}

/** 干部接单: 点单 → 已接单, the caller (who must be on the roster) as assignee. */
export async function takeRequest(actor: RequestActor, request: ResidentRequestDoc): Promise<ResidentRequestDoc> {
  const { models, audit, now, caller } = actor;
  if (!caller.cadre) throw new UserError('你不在花名册上，无法接单；请先发送 `/登记 姓名 单位`');
  if (request.status !== '点单') {
    if (request.assignee && caller.cadre._id.equals(request.assignee)) throw new UserError(`你已接了 #${request.no}，办好后发送 \`/反馈 #${request.no} 进展\` 或 \`/办结 #${request.no} 结果\``);
    throw new UserError(await describeStateWithNames(models, request, now));
  }
  const updated = await audit.update(
    models.ResidentRequest,
    { _id: request._id, status: '点单' } as QueryFilter<ResidentRequest>,
    { $set: { status: '已接单', assignee: caller.cadre._id, acceptedAt: now } },
  );
  if (!updated) throw await stateError(models, request._id, now);
  return updated;
}

/** Fields that make the caller the assignee of a request nobody took (立行立办: feedback or closing without /接单). */
function takeOverIfUnassigned(request: ResidentRequestDoc, actor: RequestActor): Record<string, unknown> {
  if (request.assignee || !actor.caller.cadre) return {};
  return { assignee: actor.caller.cadre._id, acceptedAt: actor.now };
}

export interface FeedbackResult {
  request: ResidentRequestDoc;
  /** Which feedback this is: 1 for the first. */
  count: number;
  /** Whether the first feedback met the 2-working-day deadline. */
  onTime: boolean;
}

/**
 * Feedback (反馈) on a request not yet closed: → 已反馈. Every feedback is kept
 * (`feedbacks`); `feedbackAt` stays the first one's time, which the deadline is judged on.
 */
export async function giveFeedback(actor: RequestActor, request: ResidentRequestDoc, text: string): Promise<FeedbackResult> {
  const body = checkLength(text, '反馈内容');
  const { models, now, caller } = actor;
  if (request.status === '已办结' || request.status === VOIDED) throw new UserError(`${await describeStateWithNames(models, request, now)}，不需要再反馈`);
  const update = (takeOver: Record<string, unknown>) => ({
    $set: { status: '已反馈', feedback: body, ...takeOver },
    $min: { feedbackAt: now },
    $push: { feedbacks: { text: body, at: now, by: caller.userId, byName: caller.name } },
  });
  const updated = await writeTakingOver(actor, request, update);
  if (!updated) throw await stateError(models, request._id, now);
  return { request: updated.after, count: updated.after.feedbacks.length, onTime: isOnTime(updated.after, updated.after.feedbackAt ?? now) };
}

/**
 * A feedback or closing on a request not yet closed. On a request nobody took, the caller
 * takes it over (立行立办) — guarded on it still being untaken, so of two at once only one
 * becomes the assignee; the other's change is then written without the take-over.
 */
async function writeTakingOver(
  actor: RequestActor,
  request: ResidentRequestDoc,
  update: (takeOver: Record<string, unknown>) => UpdateQuery<ResidentRequest>,
): Promise<Change<ResidentRequest> | null> {
  const { models, audit } = actor;
  const open = { _id: request._id, status: { $nin: ['已办结', VOIDED] } } as QueryFilter<ResidentRequest>;
  const takeOver = takeOverIfUnassigned(request, actor);
  if (Object.keys(takeOver).length) {
    const taken = await audit.change(models.ResidentRequest, { ...open, assignee: null } as QueryFilter<ResidentRequest>, update(takeOver));
    if (taken) return taken;
  }
  return audit.change(models.ResidentRequest, open, update({}));
}

export interface CloseResult {
  request: ResidentRequestDoc;
  /** Closed before any feedback: done at once (立行立办), which counts as fed back now. */
  atOnce: boolean;
  /** Whether the first feedback (or this closing) met the 2-working-day deadline. */
  onTime: boolean;
}

/** 办结: from 点单, 已接单 or 已反馈 → 已办结. Closing without earlier feedback counts as feedback now. */
export async function closeRequest(actor: RequestActor, request: ResidentRequestDoc, resolution?: string): Promise<CloseResult> {
  const body = resolution === undefined ? undefined : checkLength(resolution, '办结说明');
  const { models, now, caller } = actor;
  if (request.status === '已办结' || request.status === VOIDED) throw new UserError(await describeStateWithNames(models, request, now));
  const update = (takeOver: Record<string, unknown>) => ({
    $set: { status: '已办结', closedAt: now, closedBy: caller.userId, ...(body ? { resolution: body } : {}), ...takeOver },
    $min: { feedbackAt: now },
  });
  const updated = await writeTakingOver(actor, request, update);
  if (!updated) throw await stateError(models, request._id, now);
  const { before, after } = updated;
  return { request: after, atOnce: !before.feedbackAt, onTime: isOnTime(after, after.feedbackAt ?? now) };
}

/** 群众评单: the resident's rating of a closed request; rating again replaces it (`previous`: the rating replaced). */
export async function rateRequest(
  actor: RequestActor,
  request: ResidentRequestDoc,
  rating: Rating,
  note?: string,
): Promise<{ request: ResidentRequestDoc; previous: Rating | null }> {
  const body = note === undefined ? undefined : checkLength(note, '评价说明');
  const { models, audit, now, caller } = actor;
  if (request.status !== '已办结') {
    throw new UserError(`${await describeStateWithNames(models, request, now)}；办结后才能评价`);
  }
  const update = body
    ? { $set: { rating, ratedAt: now, ratedBy: caller.userId, ratingNote: body } }
    : { $set: { rating, ratedAt: now, ratedBy: caller.userId }, $unset: { ratingNote: 1 } };
  // Guarded on the rating as read: of two ratings at once, the second is told the first's.
  const seen = { _id: request._id, status: '已办结', ratedAt: request.ratedAt ?? null } as QueryFilter<ResidentRequest>;
  const updated = await audit.change(models.ResidentRequest, seen, update);
  if (updated) return { request: updated.after, previous: (updated.before.rating as Rating | undefined) ?? null };
  const current = await models.ResidentRequest.findById(request._id);
  if (!current || current.status !== '已办结' || !current.rating) throw await stateError(models, request._id, now);
  const raterShown = current.ratedBy === current.reporter.userId ? current.reporter.name : undefined;
  throw new UserError(`#${current.no} 刚刚已由 ${await nameOfUser(models, current.ratedBy, raterShown)} 评价为「${current.rating}」`);
}

/** The seeds' figures over a set of requests. Rates are 0–100, null when there is nothing to divide by. */
export interface RequestFigures {
  total: number;
  /** Given feedback (or closed: closing answers it too). */
  fedBack: number;
  /** … within 2 working days. */
  fedBackOnTime: number;
  closed: number;
  rated: number;
  /** Rated 满意 or 基本满意. */
  satisfied: number;
  /** 反馈率: fedBack / total. */
  feedbackRate: number | null;
  /** 办结率: closed / total. */
  completionRate: number | null;
  /** 满意率: (满意 + 基本满意) / rated. */
  satisfactionRate: number | null;
}

const rate = (n: number, d: number) => (d === 0 ? null : Math.round((n / d) * 1000) / 10);
const NEVER = new Date('9999-12-31T00:00:00Z');

type Counts = Omit<RequestFigures, 'feedbackRate' | 'completionRate' | 'satisfactionRate'>;

function withRates(f: Counts): RequestFigures {
  return { ...f, feedbackRate: rate(f.fedBack, f.total), completionRate: rate(f.closed, f.total), satisfactionRate: rate(f.satisfied, f.rated) };
}

/** Adds figures up (an area over its courtyards). */
export function sumRequestFigures(list: Iterable<RequestFigures>): RequestFigures {
  const t: Counts = { total: 0, fedBack: 0, fedBackOnTime: 0, closed: 0, rated: 0, satisfied: 0 };
  for (const f of list) for (const k of Object.keys(t) as (keyof Counts)[]) t[k] += f[k];
  return withRates(t);
}

export const NO_REQUESTS: RequestFigures = withRates({ total: 0, fedBack: 0, fedBackOnTime: 0, closed: 0, rated: 0, satisfied: 0 });

/**
 * The one definition of a scope's request figures, per courtyard: the requests matching
 * `filter` logged by `at`, as they stood then (fed back, closed, rated by `at`, inclusive).
 * /查询, /评价, the Excel and the dashboard all count with it.
 */
export async function requestFiguresByCourtyard(models: Models, filter: QueryFilter<ResidentRequest>, asked: Date): Promise<Map<string, RequestFigures>> {
  const at = new Date(asked.getTime() + 1);
  const answered = { $lt: [{ $ifNull: [{ $min: ['$feedbackAt', '$closedAt'] }, NEVER] }, at] };
  const rows = await models.ResidentRequest.aggregate<Counts & { _id: Types.ObjectId }>([
    // A voided request is in no figure (src/services/counted.ts).
    { $match: { ...filter, ...countedRequests(), createdAt: { $lt: at } } },
    {
      $group: {
        _id: '$courtyard',
        total: { $sum: 1 },
        fedBack: { $sum: { $cond: [answered, 1, 0] } },
        fedBackOnTime: { $sum: { $cond: [{ $lte: [{ $ifNull: [{ $min: ['$feedbackAt', '$closedAt'] }, NEVER] }, '$dueAt'] }, 1, 0] } },
        closed: { $sum: { $cond: [{ $lt: [{ $ifNull: ['$closedAt', NEVER] }, at] }, 1, 0] } },
        rated: { $sum: { $cond: [{ $and: [{ $in: ['$rating', ['满意', '基本满意', '不满意']] }, { $lt: [{ $ifNull: ['$ratedAt', '$closedAt'] }, at] }] }, 1, 0] } },
        satisfied: { $sum: { $cond: [{ $and: [{ $in: ['$rating', ['满意', '基本满意']] }, { $lt: [{ $ifNull: ['$ratedAt', '$closedAt'] }, at] }] }, 1, 0] } },
      },
    },
  ]);
  return new Map(rows.map(({ _id, ...f }) => [String(_id), withRates(f)]));
}

/** {@link requestFiguresByCourtyard} summed over the courtyards. */
export async function requestFigures(models: Models, filter: QueryFilter<ResidentRequest>, at: Date): Promise<RequestFigures> {
  return sumRequestFigures((await requestFiguresByCourtyard(models, filter, at)).values());
}

/** `反馈率 100% · 办结率 80% · 满意率 90%` (a rate with nothing to measure shows `—`). */
export function formatFigures(f: RequestFigures): string {
  const pct = (r: number | null) => (r === null ? '—' : `${r}%`);
  return `反馈率 ${pct(f.feedbackRate)} · 办结率 ${pct(f.completionRate)} · 满意率 ${pct(f.satisfactionRate)}`;
}
