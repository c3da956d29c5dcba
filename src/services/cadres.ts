/**
 * People on the roster as admins manage them in chat (/干部): finding one person when two
 * share a name (by unit or by mobile), mobiles, and who last changed an entry. The writes
 * themselves keep the dated assignment history of src/services/history.ts.
 */
import type { Types } from 'mongoose';
import { normalizeWidth } from '../text/normalize';
import type { CadreDoc, Models } from '../db/models';
import { UserError } from '../errors';
import { personQuery, unitMatches } from './lookup';
import { lastWriter } from './audit';

/** An 11-digit mainland mobile (spaces and dashes dropped), or undefined when `text` is none. */
export function parseMobile(text: string): string | undefined {
  const digits = normalizeWidth(text).replace(/[\s-]/g, '');
  return /^1\d{10}$/.test(digits) ? digits : undefined;
}

/** `138＊＊＊＊0001`: how a mobile is shown in a group chat (full-width stars: no markdown). */
export function maskMobile(mobile: string | null | undefined): string {
  if (!mobile) return '';
  return mobile.length === 11 ? `${mobile.slice(0, 3)}＊＊＊＊${mobile.slice(7)}` : mobile;
}

/** `王五（区教育局）`. */
export function personLabel(p: Pick<CadreDoc, 'name' | 'unit'>): string {
  return `${p.name}（${p.unit}）`;
}

/** `王五(区教育局)`: how to name an entry in a command, unambiguously. */
export function personRef(p: Pick<CadreDoc, 'name' | 'unit'>): string {
  return `${p.name}(${p.unit})`;
}

/**
 * One person on the roster: `王五`, `@王五`, `王五(区教育局)` or `王五(13800000001)` when two
 * share the name, a mobile `13800000001`, or a WeCom userid. Active entries only unless
 * `inactive` (then an active one is preferred). Several left → a UserError listing them
 * with unit and masked mobile and saying how to pick one.
 */
export async function findPerson(models: Models, text: string, opts: { inactive?: boolean } = {}): Promise<CadreDoc> {
  const { query, qualifier } = personQuery(text);
  const state = opts.inactive ? {} : { active: true };
  const byMobile = parseMobile(query);
  let people: CadreDoc[];
  if (byMobile && !qualifier) people = await models.Cadre.find({ mobile: byMobile, ...state });
  else {
    people = await models.Cadre.find({ name: query, ...state }).sort({ unit: 1 });
    if (people.length === 0 && !qualifier) people = await models.Cadre.find({ userId: query, ...state });
  }
  if (qualifier) {
    const mobile = parseMobile(qualifier);
    people = mobile ? people.filter((p) => p.mobile === mobile) : people.filter((p) => unitMatches(p.unit, qualifier));
  }
  if (people.length > 1 && opts.inactive) {
    const active = people.filter((p) => p.active);
    if (active.length === 1) people = active;
  }
  if (people.length === 1) return people[0]!;
  if (people.length > 1) {
    const listed = people.slice(0, 8).map((p) => `${personLabel(p)}${p.mobile ? ` ${maskMobile(p.mobile)}` : ''}${p.active ? '' : ' 已停用'}`);
    throw new UserError(`有 ${people.length} 位「${query}」：${listed.join('、')}。请写成 ${query}(单位) 或 ${query}(手机号)`);
  }
  throw new UserError(`花名册里没有「${text.trim()}」${qualifier ? '' : '，请核对姓名'}`);
}

/** The active entry other than `except` holding `mobile`, if any. */
export async function mobileHolder(models: Models, mobile: string, except?: Types.ObjectId): Promise<CadreDoc | null> {
  return models.Cadre.findOne({ mobile, active: true, ...(except ? { _id: { $ne: except } } : {}) });
}

/** Who changed a record last (its `changedBy`, see `lastWriter`), for "刚刚已由 X …". */
export async function lastChangedBy(models: Models, modelName: string, docId: Types.ObjectId): Promise<string> {
  return (await lastWriter(models, modelName, docId)) ?? '他人';
}
