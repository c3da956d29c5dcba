/** The 社区 sheet: communities, each of one street. */
import { nameKey } from '../text/normalize';
import { parseList } from './parse-cell';
import type { RosterProblem } from './read';
import { resolveStreet, use } from './validate-streets';
import { Duplicates, optional, ReportedElsewhere, RowCheck, type At, type Book, type References, type SheetRow } from './validate-rows';

export interface CommunityPlan {
  at: At;
  name: string;
  /** The street's full name. */
  street: string;
  aliases?: string[];
}

/** The name of the community `text` names in `street`. */
export function resolveCommunity(communities: Book, refs: References, text: string, street: string, from: At): string {
  const all = communities.find(text);
  const hits = all.filter((h) => h.street === street);
  // A bad community row whose street is unknown may be the one meant: it is reported there.
  if (hits.some((h) => h.bad) || (hits.length === 0 && all.some((h) => h.bad && h.street === undefined))) throw new ReportedElsewhere();
  if (hits.length !== 1) throw new Error(`所属社区「${text}」不在${street}（社区表和系统里都没有）`);
  return use(refs, hits[0]!, from).name;
}

export function checkCommunities(rows: readonly SheetRow[], books: { streets: Book; communities: Book; refs: References }, problems: RosterProblem[]): CommunityPlan[] {
  const seen = new Duplicates();
  return rows.flatMap(({ at, cells: c }) => {
    const row = new RowCheck(at);
    if (!c.name) row.fail('缺少社区名称');
    if (!c.street) row.fail('缺少所属街道');
    const street = c.street ? row.try(() => resolveStreet(books.streets, books.refs, c.street, at)) : undefined;
    const duplicate = c.name && street ? seen.check(`${street}/${nameKey(c.name)}`, at, `社区「${c.name}」`) : undefined;
    if (duplicate) row.fail(duplicate);
    const aliases = optional(c.aliases, parseList);
    const ok = row.report(problems);
    if (c.name && !duplicate) books.communities.add({ name: c.name, street, at, bad: !ok }, aliases ?? []);
    return ok ? [{ at, name: c.name, street: street!, aliases }] : [];
  });
}
