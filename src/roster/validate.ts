/**
 * Checks a whole roster before anything is written: every cell, every reference (a
 * community's street, a courtyard's community, a cadre's courtyards) against the file and
 * the database, and duplicates. Returns the plan to write, or every problem found.
 */
import { nameKey } from '../bot/normalize';
import {
  COURTYARD_KINDS,
  MANAGEMENT_MODES,
  ORG_STATUSES,
  PARTY_ORG_KINDS,
  SELF_GOV_KINDS,
  STREET_KINDS,
  type Models,
  type OrgStatus,
  type PartyOrgKind,
  type Role,
  type SelfGovKind,
} from '../db/models';
import { parseChoice, parseCount, parseList, parseMobile, parseUserId, parseYesNo } from './parse-cell';
import type { RawSheet, RosterProblem, RosterRow } from './read';

/** Where a planned record comes from. */
export interface At {
  source: string;
  row: number;
}

export interface StreetPlan {
  at: At;
  name: string;
  aliases?: string[];
  district?: string;
  kind?: (typeof STREET_KINDS)[number];
}

export interface CommunityPlan {
  at: At;
  name: string;
  /** The street's full name. */
  street: string;
  aliases?: string[];
}

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
}

export interface CadrePlan {
  at: At;
  name: string;
  unit: string;
  mobile?: string;
  userId?: string;
  roles?: Role[];
  scope?: { kind: 'district' } | { kind: 'street'; street: string };
  courtyards?: { street: string; name: string }[];
}

/**
 * What the roster says, checked and with references resolved to full names. Absent fields
 * (empty cells) leave what the database has unchanged.
 */
export interface RosterPlan {
  streets: StreetPlan[];
  communities: CommunityPlan[];
  courtyards: CourtyardPlan[];
  cadres: CadrePlan[];
}

const ROLE_WORDS: Record<string, Role> = {
  干部: 'cadre',
  分包干部: 'cadre',
  cadre: 'cadre',
  管理员: 'admin',
  admin: 'admin',
  领导: 'leader',
  leader: 'leader',
};
const STATUS_SYNONYMS: Record<string, OrgStatus> = { 无: '未建', 没有: '未建', 筹建: '筹建中', 已成立: '已建', 有: '已建', 是: '已建' };
const KIND_SYNONYMS: Record<string, (typeof COURTYARD_KINDS)[number]> = { 无主管: '无主管楼院', 老旧: '老旧小区' };
const MANAGEMENT_SYNONYMS: Record<string, (typeof MANAGEMENT_MODES)[number]> = {
  物业管理: '物业',
  居民自管: '自管',
  自管会: '自管',
  业主委员会: '业委会',
  无人管理: '无',
};

const CELL_KEYS = [
  'name', 'aliases', 'district', 'kind', 'street', 'community', 'households', 'partyMembers', 'management',
  'partyOrg', 'partyOrgStatus', 'selfGov', 'selfGovStatus', 'volunteerTeams', 'demonstration',
  'unit', 'mobile', 'userId', 'roles', 'scope', 'courtyards',
] as const;
/** The cells of a row by field (see sheets.ts). */
type Cells = Readonly<Record<(typeof CELL_KEYS)[number], string>>;

/** Several candidates with one name are a problem; this keeps every spelling of each. */
class NameIndex<T> {
  private readonly byKey = new Map<string, T[]>();
  add(item: T, names: readonly string[]): void {
    for (const name of new Set(names.map(nameKey).filter(Boolean))) {
      const list = this.byKey.get(name) ?? [];
      if (!list.includes(item)) list.push(item);
      this.byKey.set(name, list);
    }
  }
  get(name: string): T[] {
    return this.byKey.get(nameKey(name)) ?? [];
  }
}

/** 济源路街道 → 济源路 (how people shorten a street's name). */
function shortStreetName(name: string): string {
  return name.replace(/(街道办事处|街道|办事处)$/, '');
}

export async function validateRoster(models: Models, sheets: readonly RawSheet[]): Promise<{ plan: RosterPlan; problems: RosterProblem[] }> {
  const problems: RosterProblem[] = [];
  const plan: RosterPlan = { streets: [], communities: [], courtyards: [], cadres: [] };
  const rowsOf = (kind: RawSheet['spec']['kind']) => sheets.filter((s) => s.spec.kind === kind).flatMap((s) => s.rows.map((r) => ({ ...r, source: s.source })));

  /** Runs `fn` for a row (cells of absent columns read as ''), turning a thrown error into a problem at that row. */
  const each = <R>(rows: (RosterRow & { source: string })[], fn: (cells: Cells, at: At) => R | undefined): R[] =>
    rows.flatMap((r) => {
      const at = { source: r.source, row: r.row };
      const errors: string[] = [];
      const cell = Object.fromEntries(CELL_KEYS.map((k) => [k, r.cells[k] ?? ''])) as Cells;
      let result: R | undefined;
      try {
        result = fn(cell, at);
      } catch (err) {
        errors.push((err as Error).message);
      }
      for (const message of errors) problems.push({ ...at, message });
      return result === undefined ? [] : [result];
    });
  const optional = <T>(text: string, parse: (t: string) => T): T | undefined => (text === '' ? undefined : parse(text));
  /** Collects several cell errors of one row instead of stopping at the first. */
  const collect = (at: At) => {
    const messages: string[] = [];
    return {
      try<T>(fn: () => T): T | undefined {
        try {
          return fn();
        } catch (err) {
          messages.push((err as Error).message);
          return undefined;
        }
      },
      done(): boolean {
        for (const message of messages) problems.push({ ...at, message });
        return messages.length === 0;
      },
    };
  };
  const duplicateCheck = () => {
    const seen = new Map<string, At>();
    return (key: string, at: At, what: string): boolean => {
      const first = seen.get(key);
      if (first) {
        problems.push({ ...at, message: `${what}与第 ${first.row} 行重复` });
        return false;
      }
      seen.set(key, at);
      return true;
    };
  };

  // Streets: the file's and the database's, by full name, alias and short name.
  const streets = new NameIndex<string>();
  for (const s of await models.Street.find().lean()) streets.add(s.name, [s.name, shortStreetName(s.name), ...s.aliases]);
  const streetSeen = duplicateCheck();
  plan.streets = each(rowsOf('streets'), (c, at) => {
    if (!c.name) throw new Error('缺少街道名称');
    if (!streetSeen(nameKey(c.name), at, `街道「${c.name}」`)) return undefined;
    const kind = optional(c.kind, (t) => parseChoice(t, '类型', STREET_KINDS));
    const aliases = optional(c.aliases, parseList);
    streets.add(c.name, [c.name, shortStreetName(c.name), ...(aliases ?? [])]);
    return { at, name: c.name, aliases, district: c.district || undefined, kind };
  });
  const resolveStreet = (text: string): string => {
    const hits = streets.get(text);
    if (hits.length === 1) return hits[0]!;
    if (hits.length > 1) throw new Error(`街道「${text}」不明确：${hits.join('、')}`);
    throw new Error(`所属街道「${text}」不存在（街道表和系统里都没有）`);
  };

  // Communities, per street.
  const communities = new Map<string, NameIndex<string>>();
  const communityIndex = (street: string) => communities.get(street) ?? communities.set(street, new NameIndex()).get(street)!;
  const streetNameById = new Map((await models.Street.find().lean()).map((s) => [String(s._id), s.name]));
  for (const c of await models.Community.find().lean()) {
    const street = streetNameById.get(String(c.street));
    if (street) communityIndex(street).add(c.name, [c.name, ...c.aliases]);
  }
  const communitySeen = duplicateCheck();
  plan.communities = each(rowsOf('communities'), (c, at) => {
    const row = collect(at);
    if (!c.name) row.try(() => { throw new Error('缺少社区名称'); });
    const street = c.street ? row.try(() => resolveStreet(c.street)) : row.try(() => { throw new Error('缺少所属街道'); });
    const aliases = optional(c.aliases, parseList);
    if (!row.done() || !street) return undefined;
    if (!communitySeen(`${street}/${nameKey(c.name)}`, at, `社区「${c.name}」`)) return undefined;
    communityIndex(street).add(c.name, [c.name, ...(aliases ?? [])]);
    return { at, name: c.name, street, aliases };
  });

  // Courtyards.
  type Known = { street: string; name: string };
  const courtyards = new NameIndex<Known>();
  const knownCourtyards: Known[] = [];
  const addCourtyard = (k: Known, names: string[]) => {
    const existing = knownCourtyards.find((o) => o.street === k.street && nameKey(o.name) === nameKey(k.name));
    const item = existing ?? k;
    if (!existing) knownCourtyards.push(k);
    courtyards.add(item, names);
  };
  for (const y of await models.Courtyard.find().lean()) {
    const street = streetNameById.get(String(y.street));
    if (street) addCourtyard({ street, name: y.name }, [y.name, ...y.aliases]);
  }
  const courtyardSeen = duplicateCheck();
  plan.courtyards = each(rowsOf('courtyards'), (c, at) => {
    const row = collect(at);
    if (!c.name) row.try(() => { throw new Error('缺少楼院名称'); });
    const street = c.street ? row.try(() => resolveStreet(c.street)) : row.try(() => { throw new Error('缺少所属街道'); });
    let community: string | undefined;
    if (c.community && street) {
      community = row.try(() => {
        const hits = communityIndex(street).get(c.community);
        if (hits.length !== 1) throw new Error(`所属社区「${c.community}」不在${street}（社区表和系统里都没有）`);
        return hits[0]!;
      });
    }
    const orgStatus = (kindText: string, statusText: string, what: string) =>
      statusText ? parseChoice(statusText, `${what}状态`, ORG_STATUSES, STATUS_SYNONYMS) : kindText ? ('已建' as const) : undefined;
    const partyKind = row.try(() => optional(c.partyOrg, (t) => parseChoice(t, '党组织', PARTY_ORG_KINDS)));
    const selfGovKind = row.try(() => optional(c.selfGov, (t) => parseChoice(t, '自治组织', SELF_GOV_KINDS)));
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
      party: { kind: partyKind, status: row.try(() => orgStatus(c.partyOrg, c.partyOrgStatus, '党组织')) },
      selfGov: { kind: selfGovKind, status: row.try(() => orgStatus(c.selfGov, c.selfGovStatus, '自治组织')) },
      volunteerTeams: row.try(() => optional(c.volunteerTeams, (t) => parseCount(t, '志愿服务队'))),
      demonstration: row.try(() => optional(c.demonstration, (t) => parseYesNo(t, '示范楼院'))),
    };
    if (!row.done() || !street) return undefined;
    if (!courtyardSeen(`${street}/${nameKey(c.name)}`, at, `楼院「${c.name}」`)) return undefined;
    addCourtyard({ street, name: c.name }, [c.name, ...(planned.aliases ?? [])]);
    return planned;
  });
  const resolveCourtyard = (text: string): Known => {
    const slash = text.indexOf('/');
    let hits = courtyards.get(slash > 0 ? text.slice(slash + 1) : text);
    if (slash > 0) {
      const street = resolveStreet(text.slice(0, slash));
      hits = hits.filter((h) => h.street === street);
    }
    if (hits.length === 1) return hits[0]!;
    if (hits.length > 1) throw new Error(`分包楼院「${text}」有重名：${hits.map((h) => `${h.street}/${h.name}`).join('、')}，请写成 街道/楼院`);
    throw new Error(`分包楼院「${text}」不存在（楼院表和系统里都没有）`);
  };

  // Cadres.
  const byUserId = new Map((await models.Cadre.find({ userId: { $exists: true } }).lean()).map((p) => [p.userId!, p]));
  const cadreSeen = duplicateCheck();
  const userIdSeen = duplicateCheck();
  plan.cadres = each(rowsOf('cadres'), (c, at) => {
    const row = collect(at);
    if (!c.name) row.try(() => { throw new Error('缺少姓名'); });
    if (!c.unit) row.try(() => { throw new Error('缺少单位'); });
    const userId = row.try(() => optional(c.userId, parseUserId));
    const roles = row.try(() =>
      optional(c.roles, (t) => [...new Set(parseList(t).map((r) => parseChoice(r, '角色', ['cadre', 'admin', 'leader'] as const, ROLE_WORDS)))]),
    );
    const scope = row.try((): CadrePlan['scope'] =>
      optional(c.scope, (t) => (['全区', '区', '全部'].includes(t) ? { kind: 'district' as const } : { kind: 'street' as const, street: resolveStreet(t) })),
    );
    const planned: CadrePlan = {
      at,
      name: c.name,
      unit: c.unit,
      mobile: row.try(() => optional(c.mobile, parseMobile)),
      userId,
      roles,
      scope,
      courtyards: optional(c.courtyards, (t) => parseList(t).flatMap((name) => row.try(() => resolveCourtyard(name)) ?? [])),
    };
    if (userId) {
      const owner = byUserId.get(userId);
      if (owner && (owner.name !== c.name || owner.unit !== c.unit)) {
        row.try(() => {
          throw new Error(`企业微信账号「${userId}」已属于 ${owner.name}（${owner.unit}）`);
        });
      }
    }
    if (!row.done()) return undefined;
    if (!cadreSeen(`${nameKey(c.name)}/${nameKey(c.unit)}`, at, `「${c.name}（${c.unit}）」`)) return undefined;
    if (userId && !userIdSeen(userId, at, `企业微信账号「${userId}」`)) return undefined;
    return planned;
  });

  return { plan, problems };
}
