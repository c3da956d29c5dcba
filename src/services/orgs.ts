/**
 * The three organisations of a courtyard (三类组织): a party organisation, a residents'
 * self-governing body and volunteer teams; what users type for them and whether a courtyard
 * is covered (全覆盖: the first two 已建 and at least one volunteer team). src/render/orgs.ts words them.
 */
import { parseNumber } from '../text/chinese-number';
import { PARTY_ORG_KINDS, SELF_GOV_KINDS, type OrgStatus, type PartyOrgKind, type SelfGovKind } from '../db/models';

export type OrgKey = 'party' | 'selfGov' | 'volunteer';

export const ORG_LABELS: Readonly<Record<OrgKey, string>> = { party: '党组织', selfGov: '自治组织', volunteer: '志愿服务队' };

/** An organisation as typed: `党支部` (party, its kind), `自治组织` (self-governing, kind unknown), `志愿队`. */
export type OrgWord = { org: 'party'; kind?: PartyOrgKind } | { org: 'selfGov'; kind?: SelfGovKind } | { org: 'volunteer' };

const PARTY_WORDS: Record<string, PartyOrgKind | undefined> = { 党组织: undefined, 功能型党支部: '功能型党组织', 临时支部: '临时党支部' };
const SELF_GOV_WORDS: Record<string, SelfGovKind | undefined> = {
  自治组织: undefined,
  居民自治组织: undefined,
  业主委员会: '业委会',
  自管委员会: '自管会',
  自治管理委员会: '自管会',
  议事会: '居民议事会',
};
const VOLUNTEER_WORDS = new Set(['志愿队', '志愿服务队', '志愿者队伍', '志愿者服务队', '志愿者', '志愿服务']);

/** The organisation a word names, or undefined. */
export function parseOrgWord(text: string): OrgWord | undefined {
  const t = text.trim();
  if ((PARTY_ORG_KINDS as readonly string[]).includes(t)) return { org: 'party', kind: t as PartyOrgKind };
  if (t in PARTY_WORDS) return { org: 'party', kind: PARTY_WORDS[t] };
  if ((SELF_GOV_KINDS as readonly string[]).includes(t)) return { org: 'selfGov', kind: t as SelfGovKind };
  if (t in SELF_GOV_WORDS) return { org: 'selfGov', kind: SELF_GOV_WORDS[t] };
  if (VOLUNTEER_WORDS.has(t)) return { org: 'volunteer' };
  return undefined;
}

const STATUS_WORDS: Record<string, OrgStatus> = {
  已建: '已建',
  已成立: '已建',
  成立: '已建',
  建立: '已建',
  已建立: '已建',
  已组建: '已建',
  筹建中: '筹建中',
  筹建: '筹建中',
  在建: '筹建中',
  组建中: '筹建中',
  未建: '未建',
  没有: '未建',
  无: '未建',
};

/** `已建`/`已成立` → 已建, `筹建` → 筹建中, `未建` → 未建; undefined otherwise. */
export function parseOrgStatus(text: string): OrgStatus | undefined {
  return STATUS_WORDS[text.trim()];
}

/** A count of volunteer teams: `3`, `三`, `3支`, `3个`; undefined when it is not a whole number 0–999. */
export function parseTeamCount(text: string): number | undefined {
  const n = parseNumber(text.trim().replace(/(支队?|个队?|队)$/, ''));
  return n !== undefined && Number.isInteger(n) && n >= 0 && n <= 999 ? n : undefined;
}

export interface Coverage {
  party: boolean;
  selfGov: boolean;
  volunteer: boolean;
  /** 全覆盖: all three. */
  full: boolean;
  /** Labels of what is missing. */
  missing: string[];
}

/** Which of the three organisations a courtyard has (only 已建 counts; volunteer teams ≥ 1). */
export function orgCoverage(orgs: { party?: { status?: string | null } | null; selfGov?: { status?: string | null } | null; volunteerTeams?: number | null } | undefined): Coverage {
  const party = orgs?.party?.status === '已建';
  const selfGov = orgs?.selfGov?.status === '已建';
  const volunteer = (orgs?.volunteerTeams ?? 0) > 0;
  const missing = (['party', 'selfGov', 'volunteer'] as const).filter((k) => !{ party, selfGov, volunteer }[k]).map((k) => ORG_LABELS[k]);
  return { party, selfGov, volunteer, full: missing.length === 0, missing };
}
