/** The 楼院 sheet: courtyards, each of one street (and maybe one of its communities). */
import { nameKey } from '../text/normalize';
import {
  COURTYARD_KINDS,
  MANAGEMENT_MODES,
  ORG_STATUSES,
  PARTY_ORG_KINDS,
  SELF_GOV_KINDS,
  type OrgStatus,
  type PartyOrgKind,
  type SelfGovKind,
} from '../db/models';
import { parseChoice, parseCount, parseList, parseYesNo } from './parse-cell';
import type { RosterProblem } from './read';
import { resolveCommunity } from './validate-communities';
import { resolveStreet, use } from './validate-streets';
import { Duplicates, optional, ReportedElsewhere, RowCheck, type At, type Book, type References, type SheetRow } from './validate-rows';

export interface OrgPlan<K> {
  kind?: K;
  status?: OrgStatus;
}

export interface CourtyardPlan {
  at: At;
  name: string;
  street: string;
  community?: string;
  aliases?: string[];
  households?: number;
  partyMembers?: number;
  kind?: (typeof COURTYARD_KINDS)[number];
  management?: (typeof MANAGEMENT_MODES)[number];
  party?: OrgPlan<PartyOrgKind>;
  selfGov?: OrgPlan<SelfGovKind>;
  volunteerTeams?: number;
  demonstration?: boolean;
  selfGovContact?: { name?: string; userId?: string };
}

const STATUS_SYNONYMS: Record<string, OrgStatus> = { 无: '未建', 没有: '未建', 筹建: '筹建中', 已成立: '已建', 有: '已建', 是: '已建' };
const KIND_SYNONYMS: Record<string, (typeof COURTYARD_KINDS)[number]> = { 无主管: '无主管楼院', 老旧: '老旧小区' };
const MANAGEMENT_SYNONYMS: Record<string, (typeof MANAGEMENT_MODES)[number]> = {
  物业管理: '物业',
  居民自管: '自管',
  自管会: '自管',
  业主委员会: '业委会',
  无人管理: '无',
};

export interface CourtyardBooks {
  streets: Book;
  communities: Book;
  courtyards: Book;
  refs: References;
  /** The file's 楼院 sheet is the whole list and those left out are deactivated (--remove-missing). */
  unlistedRemoved: boolean;
}

/** The courtyard `text` names: `东方花园`, or `济源路/3号院` when the name exists in several streets. */
export function resolveCourtyard(books: CourtyardBooks, text: string, from: At): { street: string; name: string } {
  const slash = text.indexOf('/');
  const all = books.courtyards.find(slash > 0 ? text.slice(slash + 1) : text);
  let hits = all;
  if (slash > 0) {
    const street = resolveStreet(books.streets, books.refs, text.slice(0, slash), from);
    hits = all.filter((h) => h.street === street);
  }
  // A bad courtyard row is reported on its row, not on every row that names it.
  if (hits.some((h) => h.bad) || (hits.length === 0 && all.some((h) => h.bad && h.street === undefined))) throw new ReportedElsewhere();
  if (hits.length > 1) throw new Error(`分包楼院「${text}」有重名：${hits.map((h) => `${h.street}/${h.name}`).join('、')}，请写成 街道/楼院`);
  if (hits.length === 0) throw new Error(`分包楼院「${text}」不存在（楼院表和系统里都没有）`);
  const hit = hits[0]!;
  if (!hit.at && books.unlistedRemoved) throw new Error(`分包楼院「${text}」不在楼院表里，--remove-missing 会停用它`);
  if (!hit.at && hit.inactive) throw new Error(`分包楼院「${text}」已停用；要恢复，请把它写进楼院表`);
  use(books.refs, hit, from);
  return { street: hit.street!, name: hit.name };
}

/** Longest contact name and userid the 楼院 sheet takes. */
const MAX_CONTACT_NAME = 20;
const MAX_USERID = 64;

/** The self-governing body's contact: a name and a WeCom account, either may be empty. */
function contactOf(name: string, userId: string): CourtyardPlan['selfGovContact'] {
  if (!name && !userId) return undefined;
  if ([...name].length > MAX_CONTACT_NAME) throw new Error(`自治组织联系人「${name.slice(0, 10)}…」超过 ${MAX_CONTACT_NAME} 个字`);
  if (userId && !/^[A-Za-z0-9_.@-]+$/.test(userId)) throw new Error(`联系人企业微信账号「${userId}」只能含字母、数字和 _ . @ -`);
  if (userId.length > MAX_USERID) throw new Error(`联系人企业微信账号超过 ${MAX_USERID} 个字符`);
  return { ...(name ? { name } : {}), ...(userId ? { userId } : {}) };
}

export function checkCourtyards(rows: readonly SheetRow[], books: CourtyardBooks, problems: RosterProblem[]): CourtyardPlan[] {
  const seen = new Duplicates();
  return rows.flatMap(({ at, cells: c }) => {
    const row = new RowCheck(at);
    if (!c.name) row.fail('缺少楼院名称');
    if (!c.street) row.fail('缺少所属街道');
    const street = c.street ? row.try(() => resolveStreet(books.streets, books.refs, c.street, at)) : undefined;
    const duplicate = c.name && street ? seen.check(`${street}/${nameKey(c.name)}`, at, `楼院「${c.name}」`) : undefined;
    if (duplicate) row.fail(duplicate);
    const community = c.community && street ? row.try(() => resolveCommunity(books.communities, books.refs, c.community, street, at)) : undefined;
    const orgStatus = (kindText: string, statusText: string, what: string) =>
      statusText ? parseChoice(statusText, `${what}状态`, ORG_STATUSES, STATUS_SYNONYMS) : kindText ? ('已建' as const) : undefined;
    const planned: CourtyardPlan = {
      at,
      name: c.name,
      street: street ?? '',
      community,
      aliases: optional(c.aliases, parseList),
      households: row.try(() => optional(c.households, (t) => parseCount(t, '户数'))),
      partyMembers: row.try(() => optional(c.partyMembers, (t) => parseCount(t, '党员数'))),
      kind: row.try(() => optional(c.kind, (t) => parseChoice(t, '类型', COURTYARD_KINDS, KIND_SYNONYMS))),
      management: row.try(() => optional(c.management, (t) => parseChoice(t, '管理方式', MANAGEMENT_MODES, MANAGEMENT_SYNONYMS))),
      party: {
        kind: row.try(() => optional(c.partyOrg, (t) => parseChoice(t, '党组织', PARTY_ORG_KINDS))),
        status: row.try(() => orgStatus(c.partyOrg, c.partyOrgStatus, '党组织')),
      },
      selfGov: {
        kind: row.try(() => optional(c.selfGov, (t) => parseChoice(t, '自治组织', SELF_GOV_KINDS))),
        status: row.try(() => orgStatus(c.selfGov, c.selfGovStatus, '自治组织')),
      },
      volunteerTeams: row.try(() => optional(c.volunteerTeams, (t) => parseCount(t, '志愿服务队'))),
      demonstration: row.try(() => optional(c.demonstration, (t) => parseYesNo(t, '示范楼院'))),
      selfGovContact: row.try(() => contactOf(c.selfGovContact, c.selfGovContactUserId)),
    };
    const ok = row.report(problems);
    if (c.name && !duplicate) books.courtyards.add({ name: c.name, street, at, bad: !ok }, planned.aliases ?? []);
    return ok ? [planned] : [];
  });
}
