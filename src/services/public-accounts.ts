/**
 * 事务公开: a courtyard's public accounts, month by month — the fees collected (停车费, 卫生费,
 * 公共空间营收) and the money spent (门卫, 保洁, 物管用品), recorded in chat (/公开) by the
 * courtyard's self-governing body's contact or an admin, published in its group on the 1st of
 * the next month (jobs/monthly-accounts.ts) and read by the public page through
 * {@link publicAccounts}. Amounts are integers of fen throughout; yuan only when shown.
 */
import type { Types } from 'mongoose';
import { normalizeWidth } from '../text/normalize';
import { allowCovers } from './permissions';
import type { Caller } from './caller';
import type { AccountKind, CourtyardDoc, Models } from '../db/models';
import { UserError } from '../errors';
import { beijingParts } from './beijing-time';

/** The largest single amount: 10,000,000 元. */
export const MAX_AMOUNT_FEN = 10_000_000 * 100;
/** What an item and a note may hold, in characters. */
export const MAX_ITEM_CHARS = 20;
export const MAX_NOTE_CHARS = 100;

export const KIND_LABELS: Record<AccountKind, '收入' | '支出'> = { income: '收入', expense: '支出' };

/** A calendar month (Beijing): `{ year: 2020, month: 11 }`. */
export interface Month {
  year: number;
  /** 1–12. */
  month: number;
}

/** `2020-11`: how a month is stored. */
export const monthKey = (m: Month): string => `${m.year}-${String(m.month).padStart(2, '0')}`;
/** `2020年11月`. */
export const monthLabel = (m: Month): string => `${m.year}年${m.month}月`;

/** The month of `at`, moved by `k` months. */
export function monthOf(at: Date, k = 0): Month {
  const { year, month } = beijingParts(at);
  const i = year * 12 + month - 1 + k;
  return { year: Math.floor(i / 12), month: (i % 12) + 1 };
}

const MONTH_WORDS: Record<string, number> = { 本月: 0, 这个月: 0, 这月: 0, 当月: 0, 上月: -1, 上个月: -1, 下月: 1, 下个月: 1 };
const CN_MONTHS: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9, 十: 10, 十一: 11, 十二: 12 };

/** Whether `text` looks like a month (to tell it from the amount's words). */
export function looksLikeMonth(text: string): boolean {
  const t = normalizeWidth(text).trim();
  return t in MONTH_WORDS || /^(\d{4}\s*年\s*)?(\d{1,2}|[一二三四五六七八九十]{1,3})\s*月份?$/.test(t) || /^\d{4}[-/.]\d{1,2}$/.test(t);
}

const MONTH_HINT = '月份可写 11月、2020年11月、2020-11、本月、上月';

/**
 * A month typed: `11月`, `十一月`, `2020年11月`, `2020-11`, `本月`, `上月`. Never after the month
 * of `now`; a month without its year is the latest one not after it (`12月` in January is last
 * December).
 */
export function parseMonth(text: string, now: Date): Month {
  const t = normalizeWidth(text).replace(/\s+/g, '');
  const current = monthOf(now);
  let m: Month;
  if (t in MONTH_WORDS) {
    m = monthOf(now, MONTH_WORDS[t]!);
  } else {
    const full = /^(\d{4})(?:年|[-/.])(\d{1,2})月?份?$/.exec(t);
    const bare = /^(\d{1,2}|[一二三四五六七八九十]{1,3})月份?$/.exec(t);
    const month = full ? Number(full[2]) : bare ? (CN_MONTHS[bare[1]!] ?? Number(bare[1])) : NaN;
    if (!(Number.isInteger(month) && month >= 1 && month <= 12)) throw new UserError(`看不懂月份「${text}」，${MONTH_HINT}`);
    if (full) m = { year: Number(full[1]), month };
    else m = { year: month > current.month ? current.year - 1 : current.year, month };
  }
  if (monthKey(m) > monthKey(current)) throw new UserError(`${monthLabel(m)}还没到，不能登记（本月是 ${monthLabel(current)}）`);
  if (m.year < 2000) throw new UserError(`${monthLabel(m)}太早了，${MONTH_HINT}`);
  return m;
}

const AMOUNT_HINT = '金额写成 1200、1200.5、1,200 元 或 ¥1200（大于 0，最多两位小数，不超过 1000 万元）';

/** An amount typed, in fen: `1200`, `1200.5`, `1,200 元`, `1,200元`, `¥1200`, `￥1,200.00`. */
export function parseAmountFen(text: string): number {
  const t = normalizeWidth(text).replace(/\s+/g, '').replace(/^[¥￥]/, '').replace(/(元|块|块钱|rmb|RMB|CNY)$/, '');
  if (/^[-−－]/.test(t)) throw new UserError(`金额不能是负数（收到「${text}」）；支出请用 /公开 支出。${AMOUNT_HINT}`);
  const m = /^(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?$/.exec(t);
  if (!m) throw new UserError(`看不懂金额「${text}」。${AMOUNT_HINT}`);
  if (m[2] !== undefined && m[2].length > 2) throw new UserError(`金额最多两位小数（到分），收到「${text}」`);
  const whole = m[1]!.replace(/,/g, '');
  if (whole.length > 9) throw new UserError(`金额不能超过 1000 万元，收到「${text}」`);
  const fen = Number(whole) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  if (fen === 0) throw new UserError(`金额要大于 0，收到「${text}」`);
  if (fen > MAX_AMOUNT_FEN) throw new UserError(`金额不能超过 1000 万元，收到「${text}」`);
  return fen;
}

/** Fen as yuan with two decimals and thousands separators: `1,200.50`; negative with a minus. */
export function formatYuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const whole = Math.floor(abs / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}${whole}.${String(abs % 100).padStart(2, '0')}`;
}

/** Whether the caller records `courtyard`'s accounts: its self-governing body's contact (as the roster says) or an admin covering it. */
export function mayRecordAccounts(caller: Caller, courtyard: Pick<CourtyardDoc, '_id' | 'street' | 'selfGovContact'>): boolean {
  if (courtyard.selfGovContact?.userId && courtyard.selfGovContact.userId === caller.userId) return true;
  return allowCovers(caller, ['admin'], { courtyard });
}

/** The courtyards whose self-governing body's contact is this WeCom account. */
export async function contactCourtyards(models: Models, userId: string): Promise<CourtyardDoc[]> {
  return models.Courtyard.find({ 'selfGovContact.userId': userId, active: { $ne: false } }).sort({ name: 1 });
}

/** One entry as it may be shown publicly: no recorder, no account. */
export interface PublicEntry {
  no: number;
  kind: AccountKind;
  item: string;
  amountFen: number;
  note: string;
  recordedAt: Date;
}

export interface VoidedEntry extends PublicEntry {
  voidedAt: Date;
  voidReason: string;
}

export interface PublicAccounts {
  month: Month;
  /** The entries that count, oldest first. */
  entries: PublicEntry[];
  /** Voided entries, kept for the record, in no total. */
  voided: VoidedEntry[];
  incomeFen: number;
  expenseFen: number;
  /** Income less spending. */
  balanceFen: number;
}

/**
 * A courtyard's accounts of one month: its entries (voided ones apart) and totals in fen.
 * What it returns may be shown to anyone (the public page reads it): it names no one.
 */
export async function publicAccounts(models: Models, courtyardId: Types.ObjectId | string, month: Month): Promise<PublicAccounts> {
  const docs = await models.AccountEntry.find({ courtyard: courtyardId, month: monthKey(month) }).sort({ no: 1 }).lean();
  const shown = (d: (typeof docs)[number]): PublicEntry => ({ no: d.no, kind: d.kind, item: d.item, amountFen: d.amountFen, note: d.note ?? '', recordedAt: d.createdAt });
  const entries = docs.filter((d) => d.status === 'active').map(shown);
  const voided = docs.filter((d) => d.status === 'void').map((d) => ({ ...shown(d), voidedAt: d.voidedAt!, voidReason: d.voidReason ?? '' }));
  const sum = (kind: AccountKind) => entries.filter((e) => e.kind === kind).reduce((s, e) => s + e.amountFen, 0);
  const incomeFen = sum('income');
  const expenseFen = sum('expense');
  return { month, entries, voided, incomeFen, expenseFen, balanceFen: incomeFen - expenseFen };
}

/** `收入 1,200.00 元 · 支出 800.00 元 · 结余 400.00 元`. */
export function totalsLine(a: Pick<PublicAccounts, 'incomeFen' | 'expenseFen' | 'balanceFen'>): string {
  return `收入 ${formatYuan(a.incomeFen)} 元 · 支出 ${formatYuan(a.expenseFen)} 元 · 结余 ${formatYuan(a.balanceFen)} 元`;
}
