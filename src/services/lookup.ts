/**
 * Finding what users name in chat: courtyards, street offices, people, projects (`#12` or
 * a title) and requests (`#7`). Each function returns the one record meant, or throws a
 * UserError saying what was not found, or listing the candidates when the name is
 * ambiguous.
 */
import type { HydratedDocument, Model, QueryFilter, Types } from 'mongoose';
import { OPEN_PROJECT_STATUSES, type CadreDoc, type CourtyardDoc, type Models, type Project, type ProjectDoc, type ResidentRequestDoc, type StreetDoc } from '../db/models';
import { UserError } from '../errors';
import { nameKey, normalizeWidth } from '../text/normalize';
import { matchName, type NameMatch } from './name-match';
import { ON_ROSTER } from './on-roster';
import { courtyardFilter, scopeFilter, type Scope } from './scope';

/** At most this many candidates are listed. */
const MAX_LISTED = 8;

function listed(names: string[]): string {
  const shown = names.slice(0, MAX_LISTED).join('、');
  return names.length > MAX_LISTED ? `${shown} 等 ${names.length} 个` : shown;
}

function resolveMatch<T>(
  match: NameMatch<T>,
  what: string,
  query: string,
  show: (item: T) => string,
  hint: string,
): T {
  if (match.kind === 'one') return match.item;
  if (match.kind === 'many') {
    throw new UserError(`「${query}」对应多个${what}：${listed(match.items.map(show))}。${hint}`);
  }
  const near = match.near.length ? `，你是不是要找：${match.near.map(show).join('、')}？` : '';
  throw new UserError(`没有找到${what}「${query}」${near}`);
}

/** A street office by name or alias: `济源路`, `济源路街道`. */
export async function findStreet(models: Models, text: string): Promise<StreetDoc> {
  const streets = await models.Street.find().sort({ name: 1 });
  return resolveMatch(matchName(streets, (s) => [s.name, ...s.aliases], text), '街道', text, (s) => s.name, '请写全称。');
}

function streetNames(streets: StreetDoc[]): Map<string, string> {
  return new Map(streets.map((s) => [String(s._id), s.name]));
}

/**
 * A courtyard by name or alias (`东方花园`; a unique prefix or a near spelling will do),
 * or `济源路/3号院` when the name exists in several streets. Courtyards of `scope` are tried
 * first, then the whole district.
 */
export async function findCourtyard(models: Models, text: string, scope?: Scope): Promise<CourtyardDoc> {
  const query = normalizeWidth(text).trim();
  const slash = query.indexOf('/');
  let streetId: Types.ObjectId | undefined;
  let name = query;
  if (slash > 0) {
    streetId = (await findStreet(models, query.slice(0, slash)))._id;
    name = query.slice(slash + 1);
  }
  const streets = streetNames(await models.Street.find());
  const all = await models.Courtyard.find({ ...(streetId ? { street: streetId } : {}), ...ON_ROSTER }).sort({ name: 1 });
  const show = (c: CourtyardDoc) => {
    const twins = all.filter((o) => nameKey(o.name) === nameKey(c.name)).length > 1;
    return twins ? `${c.name}（${streets.get(String(c.street)) ?? '?'}）` : c.name;
  };
  const namesOf = (c: CourtyardDoc) => [c.name, ...c.aliases];
  if (scope && scope.kind !== 'none' && scope.kind !== 'district' && !streetId) {
    const inScope = all.filter((c) => matchesFilter(c, courtyardFilter(scope)));
    const match = matchName(inScope, namesOf, name);
    if (match.kind !== 'none') return resolveMatch(match, '楼院', text, show, '请写全名，或写成 街道/楼院。');
  }
  return resolveMatch(matchName(all, namesOf, name), '楼院', text, show, '请写全名，或写成 街道/楼院。');
}

function matchesFilter(c: CourtyardDoc, filter: { street?: Types.ObjectId; _id?: Types.ObjectId }): boolean {
  if (filter.street && !c.street.equals(filter.street)) return false;
  if (filter._id && !c._id.equals(filter._id)) return false;
  return true;
}

/** A person as typed: `张三`, `@张三` or `张三(区医保局)` — the name and what is in the brackets. */
export function personQuery(text: string): { query: string; qualifier?: string } {
  const query = normalizeWidth(text).trim().replace(/^@/, '');
  const m = /^(.+?)\((.+)\)$/.exec(query);
  return m ? { query: m[1]!.trim(), qualifier: m[2]!.trim() } : { query };
}

/** Whether a roster unit matches the unit typed in brackets (either contains the other). */
export function unitMatches(unit: string, typed: string): boolean {
  return nameKey(unit).includes(nameKey(typed)) || nameKey(typed).includes(nameKey(unit));
}

/**
 * A person on the roster: `张三`, `@张三` (a WeCom mention), `张三(区医保局)` when two share
 * the name, or a WeCom userid. With several of the same name, those assigned to a courtyard
 * of `scope` are preferred.
 */
export async function findCadre(models: Models, text: string, scope?: Scope): Promise<CadreDoc> {
  const { query, qualifier: unit } = personQuery(text);
  const byUserId = await models.Cadre.findOne({ userId: query, active: true });
  if (byUserId && !unit) return byUserId;
  let people = await models.Cadre.find({ name: query, active: true }).sort({ unit: 1 });
  if (unit) people = people.filter((p) => unitMatches(p.unit, unit));
  if (people.length === 1) return people[0]!;
  if (people.length > 1 && scope && scope.kind !== 'none' && scope.kind !== 'district') {
    const ids = (await models.Courtyard.find(courtyardFilter(scope), { _id: 1 })).map((c) => String(c._id));
    const local = people.filter((p) => p.courtyards.some((c) => ids.includes(String(c))));
    if (local.length === 1) return local[0]!;
  }
  if (people.length > 1) {
    throw new UserError(
      `有 ${people.length} 位「${query}」：${listed(people.map((p) => `${p.name}（${p.unit}）`))}。请写成 ${query}(单位)。`,
    );
  }
  throw new UserError(`花名册里没有「${text.trim()}」${unit ? '' : '，请核对姓名'}`);
}

/** `#12`, `＃12`, `12`, `12号` → 12; undefined for anything else. */
export function parseNumberRef(text: string): number | undefined {
  const m = /^#?\s*(\d{1,9})号?$/.exec(normalizeWidth(text).trim());
  return m ? Number(m[1]) : undefined;
}

/**
 * A numbered record (`#12`) of `model`: `noun` names it in the refusals (`收支`, `记录`), and
 * `listedBy` is the command that shows the numbers (`/公开 列表`).
 */
export async function findByNumber<T>(model: Model<T>, text: string, noun: string, listedBy: string): Promise<HydratedDocument<T>> {
  const no = parseNumberRef(text);
  if (no === undefined) throw new UserError(`「${text}」不是${noun}编号，请写成 #12 这样（编号见 ${listedBy}）`);
  const doc = await model.findOne({ no } as QueryFilter<T>);
  if (!doc) throw new UserError(`没有编号为 #${no} 的${noun}，先发 ${listedBy} 查看编号`);
  return doc;
}

/**
 * A project by number (`#12`) or by title: among the projects of `scope` first (open ones
 * before finished ones), then all. Several with that title → the candidates with numbers.
 */
export async function findProject(models: Models, text: string, scope?: Scope): Promise<ProjectDoc> {
  const no = parseNumberRef(text);
  if (no !== undefined) {
    const project = await models.Project.findOne({ no });
    if (!project) throw new UserError(`没有编号为 #${no} 的项目，发送 /项目 列表 查看`);
    return project;
  }
  const courtyards = new Map((await models.Courtyard.find({}, { name: 1 })).map((c) => [String(c._id), c.name]));
  const show = (p: ProjectDoc) => `#${p.no} ${p.title}（${courtyards.get(String(p.courtyard)) ?? '?'}）`;
  const hint = '请用编号，如 #12。';
  const candidates: QueryFilter<Project>[] = [
    { ...(scope ? scopeFilter(scope) : {}), status: { $in: [...OPEN_PROJECT_STATUSES] } },
    scope ? scopeFilter(scope) : {},
    {},
  ];
  let match: NameMatch<ProjectDoc> = { kind: 'none', near: [] };
  for (const filter of candidates) {
    match = matchName(await models.Project.find(filter).sort({ no: 1 }), (p) => [p.title], text);
    if (match.kind !== 'none') break;
  }
  if (match.kind === 'none' && match.near.length === 0) throw new UserError(`没有找到项目「${text}」，发送 /项目 列表 查看`);
  return resolveMatch(match, '项目', text, show, hint);
}

/** A resident request by number: `#7`, `7`. */
export async function findRequest(models: Models, text: string): Promise<ResidentRequestDoc> {
  const no = parseNumberRef(text);
  if (no === undefined) throw new UserError(`「${text}」不是诉求编号，请写成 #7 这样`);
  const request = await models.ResidentRequest.findOne({ no });
  if (!request) throw new UserError(`没有编号为 #${no} 的诉求`);
  return request;
}

/** How a WeCom user is named in chat: their roster name, else `fallback` (a stored display name), else the userid. */
export async function nameOfUser(models: Models, userId: string | null | undefined, fallback?: string | null): Promise<string> {
  if (!userId) return fallback ?? '?';
  return (await models.Cadre.findOne({ userId }, { name: 1 }).lean())?.name ?? fallback ?? userId;
}
