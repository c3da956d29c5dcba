/**
 * A resident's request from the public board, into the same 四联单 flow as `/诉求`: logged by
 * logRequest (the next number, the 2-working-day deadline, the per-courtyard limit), then
 * posted to the courtyard's groups with its cadres @-mentioned (社区下单). And the resident's
 * rating on the follow link, through rateRequest (the field `/评价` writes).
 *
 * Abuse controls, all counted in MongoDB's rate slots (src/services/rate-limit.ts) so every
 * process agrees: per phone number (logRequest's per-sender limit, the sender being the
 * phone's hash), per client address, and, from the CHALLENGE_AFTER-th submission of an
 * address in its window, a sum to solve (src/board/link.ts). The body is capped by the router.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { RateLimit, RequestLimits } from '../config';
import type { CourtyardDoc, Models, Rating, RequestCategory, ResidentRequestDoc } from '../db/models';
import { bold, escapeMarkdown } from '../text/markdown';
import { UserError } from '../errors';
import { courtyardGroups, loadPushGroups } from '../jobs/targets';
import { createAudit } from '../services/audit';
import { formatDateTime } from '../services/beijing-time';
import type { WorkingCalendar } from '../services/calendar';
import { formatDueDay, logRequest, rateRequest } from '../services/requests';
import { returnSlot, takeSlot } from '../services/rate-limit';
import type { Outbox } from '../wecom/outbox';

/** The board's limits; null: none. */
export interface BoardLimits {
  /** Per phone number (default 3 a day). */
  perPhone: RateLimit | null;
  /** Per client address (default 10 an hour). */
  perAddress: RateLimit | null;
  /** From this many submissions of one address in `perAddress`'s window on, a challenge (default 2). */
  challengeAfter: number;
}

export const DEFAULT_BOARD_LIMITS: BoardLimits = {
  perPhone: { max: 3, windowMs: 86_400_000 },
  perAddress: { max: 10, windowMs: 3_600_000 },
  challengeAfter: 2,
};

/** A mainland mobile number (11 digits from 1) or a landline (0 + 9–11 digits, a dash allowed). */
export function normalisePhone(text: string): string | null {
  const t = text.replace(/[\s-]/g, '');
  return /^1\d{10}$/.test(t) || /^0\d{9,11}$/.test(t) ? t : null;
}

/** `138****5678`: how a phone is shown to anyone but the cadres. */
export function maskPhone(phone: string): string {
  return phone.length >= 7 ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : '****';
}

/** The sender a board submission counts under: the phone's hash, never the number itself. */
export function boardSender(phone: string): string {
  return `board:${createHash('sha256').update(`louyuantong-board-phone|${phone}`).digest('hex').slice(0, 24)}`;
}

const addressKey = (address: string) => `board:address:${address}`;

/** How many submissions `address` made in the current window (read only). */
export async function submissionsFrom(models: Models, limits: BoardLimits, address: string, now: Date): Promise<number> {
  if (!limits.perAddress) return 0;
  const start = Math.floor(now.getTime() / limits.perAddress.windowMs) * limits.perAddress.windowMs;
  const slot = await models.RateSlot.findById(`${addressKey(address)}:${start}`, { count: 1 }).lean();
  return (slot as { count?: number } | null)?.count ?? 0;
}

export interface BoardSubmission {
  text: string;
  category: RequestCategory;
  phone: string;
  address: string;
}

export interface SubmitDeps {
  models: Models;
  calendar: WorkingCalendar;
  outbox?: Pick<Outbox, 'enqueue'>;
  requestLimits: RequestLimits;
  limits: BoardLimits;
  now: Date;
}

/** Logs a board submission and posts it to the courtyard's groups; a UserError when a limit refuses it. */
export async function submitBoardRequest(deps: SubmitDeps, courtyard: CourtyardDoc, s: BoardSubmission): Promise<ResidentRequestDoc> {
  const { models, now, limits } = deps;
  const sender = boardSender(s.phone);
  const address = limits.perAddress && (await takeSlot(models, addressKey(s.address), limits.perAddress, now));
  if (address) throw new UserError(`本网络提交诉求太频繁了，请在 ${formatDateTime(address.retryAt, now)} 以后再试`);
  const audit = createAudit({ models, actor: sender, actorName: '居民（公示栏）', command: '/公示栏 诉求', msgId: `board:${randomUUID()}`, now });
  let request: ResidentRequestDoc;
  try {
    request = await logRequest(
      { models, audit, now, calendar: deps.calendar, caller: { userId: sender, name: '居民（公示栏）', cadre: null } },
      courtyard,
      s.text,
      { perSender: limits.perPhone, perCourtyard: deps.requestLimits.perCourtyard },
      { category: s.category, source: 'board', contactPhone: s.phone },
    );
  } catch (err) {
    if (limits.perAddress) await returnSlot(models, addressKey(s.address), limits.perAddress, now);
    if (err instanceof UserError) throw new UserError(err.message.replace('你登记诉求', '这个电话号码提交诉求'));
    throw err;
  }
  await postToGroups(deps, courtyard, request);
  return request;
}

/** 社区下单: the request in the courtyard's groups, its cadres @-mentioned, as `/诉求` posts it from elsewhere. */
async function postToGroups(deps: SubmitDeps, courtyard: CourtyardDoc, request: ResidentRequestDoc): Promise<void> {
  const { models, outbox, now } = deps;
  if (!outbox) return;
  const cadres = await models.Cadre.find({ courtyards: courtyard._id, roles: 'cadre', active: true, userId: { $exists: true } }, { userId: 1 })
    .sort({ name: 1 })
    .limit(5)
    .lean();
  const lines = [
    `📮 居民通过公示栏提交诉求 ${bold(`#${request.no}`)} · ${escapeMarkdown(courtyard.name)}`,
    `类别：${escapeMarkdown(request.category ?? '其他')}`,
    `> ${escapeMarkdown(request.text)}`,
    `联系电话：${escapeMarkdown(request.contactPhone ?? '')}（仅供回复居民，请勿外传）`,
    `反馈期限：${bold(formatDueDay(request.dueAt, now))}前（2个工作日内）`,
    cadres.length ? `请接单：\`/接单 #${request.no}\`` : '这个楼院还没有登记的分包干部，请管理员安排接单',
  ];
  const mentions = cadres.map((c) => c.userId!).filter(Boolean);
  for (const g of courtyardGroups(await loadPushGroups(models), String(courtyard._id))) {
    await outbox.enqueue({
      dedupeKey: `request:${request._id}:${g.chatId}`,
      target: { kind: 'webhook', url: g.webhookUrl },
      payload: { type: 'markdown', content: lines.join('\n'), mentions },
    });
  }
}

/** The resident's rating from the follow link (群众评单); rating again replaces it. */
export async function rateFromBoard(models: Models, request: ResidentRequestDoc, rating: Rating, now: Date): Promise<void> {
  const sender = request.reporter.userId;
  const audit = createAudit({ models, actor: sender, actorName: '居民（公示栏）', command: `/公示栏 评价 #${request.no} ${rating}`, msgId: `board:${randomUUID()}`, now });
  await rateRequest({ models, audit, now, caller: { userId: sender, name: '居民（公示栏）', cadre: null } }, request, rating);
}
