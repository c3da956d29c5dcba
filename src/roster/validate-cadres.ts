/**
 * The 干部 sheet: people, by WeCom userid or else (name, unit). Duplicates — the same
 * person, userid or mobile twice, in the file or against the database — are reported on
 * their row whatever else is wrong there.
 */
import { nameKey } from '../text/normalize';
import type { Cadre, Models, Role } from '../db/models';
import { parseChoice, parseList, parseMobile, parseUserId } from './parse-cell';
import type { RosterProblem } from './read';
import { resolveCourtyard, type CourtyardBooks } from './validate-courtyards';
import { resolveStreet } from './validate-streets';
import { Duplicates, optional, RowCheck, type At, type SheetRow } from './validate-rows';

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

const ROLE_NAMES = ['干部', '管理员', '领导'] as const;
const ROLE_SYNONYMS: Record<string, (typeof ROLE_NAMES)[number]> = { 分包干部: '干部', cadre: '干部', admin: '管理员', leader: '领导' };
const ROLE_OF: Record<(typeof ROLE_NAMES)[number], Role> = { 干部: 'cadre', 管理员: 'admin', 领导: 'leader' };

type Known = Pick<Cadre, 'name' | 'unit' | 'mobile' | 'userId' | 'active'>;
const personKey = (name: string, unit: string) => `${nameKey(name)}/${nameKey(unit)}`;
const who = (p: { name: string; unit: string }) => `${p.name}（${p.unit}）`;

export async function checkCadres(models: Models, rows: readonly SheetRow[], books: CourtyardBooks, problems: RosterProblem[]): Promise<CadrePlan[]> {
  const known = (await models.Cadre.find({}, { name: 1, unit: 1, mobile: 1, userId: 1, active: 1 }).lean()) as Known[];
  const byUserId = new Map(known.filter((p) => p.userId).map((p) => [p.userId!, p]));
  const byPerson = new Map(known.map((p) => [`${p.name}\u0000${p.unit}`, p]));
  const seen = { person: new Duplicates(), userId: new Duplicates(), mobile: new Duplicates() };

  const checked = rows.map(({ at, cells: c }) => {
    const row = new RowCheck(at);
    if (!c.name) row.fail('缺少姓名');
    if (!c.unit) row.fail('缺少单位');
    const userId = row.try(() => optional(c.userId, parseUserId));
    const mobile = row.try(() => optional(c.mobile, parseMobile));
    const planned: CadrePlan = {
      at,
      name: c.name,
      unit: c.unit,
      mobile,
      userId,
      roles: row.try(() =>
        optional(c.roles, (t) => [...new Set(parseList(t).map((r) => ROLE_OF[parseChoice(r, '角色', ROLE_NAMES, ROLE_SYNONYMS)]))]),
      ),
      scope: row.try((): CadrePlan['scope'] =>
        optional(c.scope, (t) =>
          ['全区', '区', '全部'].includes(t) ? { kind: 'district' as const } : { kind: 'street' as const, street: resolveStreet(books.streets, books.refs, t, at) },
        ),
      ),
      courtyards: optional(c.courtyards, (t) => parseList(t).flatMap((name) => row.try(() => resolveCourtyard(books, name, at)) ?? [])),
    };
    const owner = userId ? byUserId.get(userId) : undefined;
    if (owner && (owner.name !== c.name || owner.unit !== c.unit)) row.fail(`企业微信账号「${userId}」已属于 ${who(owner)}`);
    const duplicates = [
      c.name && c.unit ? seen.person.check(personKey(c.name, c.unit), at, `「${who(c)}」`) : undefined,
      userId ? seen.userId.check(userId, at, `企业微信账号「${userId}」`) : undefined,
      mobile ? seen.mobile.check(mobile, at, `手机号「${mobile}」`) : undefined,
    ];
    for (const message of duplicates) if (message) row.fail(message);
    // The database record this row updates (as apply.ts finds it).
    const record = (userId && byUserId.get(userId)) || byPerson.get(`${c.name}\u0000${c.unit}`);
    return { row, planned, record };
  });

  // Mobiles of the people active after the import. One may move from a person to another in
  // the same file; otherwise it stays its holder's.
  const listed = new Set(checked.map((x) => x.record));
  const givenMobile = new Set(checked.flatMap((x) => (x.record && x.planned.mobile ? [x.record] : [])));
  const holders = new Map<string, Known[]>();
  for (const p of known) if (p.mobile && (p.active || listed.has(p))) holders.set(p.mobile, [...(holders.get(p.mobile) ?? []), p]);
  for (const { row, planned, record } of checked) {
    if (!planned.mobile) continue;
    // A holder with a row of its own giving this mobile is the duplicate reported above.
    const holder = holders.get(planned.mobile)?.find((p) => p !== record && !givenMobile.has(p));
    if (holder) row.fail(`手机号「${planned.mobile}」已属于 ${who(holder)}`);
  }

  return checked.flatMap(({ row, planned }) => (row.report(problems) ? [planned] : []));
}
