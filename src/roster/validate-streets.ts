/** The 街道 sheet: street offices, by full name, alias and short name. */
import { nameKey } from '../text/normalize';
import { STREET_KINDS } from '../db/models';
import { parseChoice, parseList } from './parse-cell';
import type { RosterProblem } from './read';
import { Duplicates, optional, ReportedElsewhere, RowCheck, shortStreetName, type At, type Book, type Ref, type References, type SheetRow } from './validate-rows';

export interface StreetPlan {
  at: At;
  name: string;
  aliases?: string[];
  district?: string;
  kind?: (typeof STREET_KINDS)[number];
}

/** The names a street is found by. */
export const streetNames = (name: string, aliases: readonly string[] = []): string[] => [name, shortStreetName(name), ...aliases];

/** A ref found for a row: the row names it (see References); a bad one fails the row silently. */
export function use(refs: References, ref: Ref, from: At): Ref {
  if (ref.bad) throw new ReportedElsewhere();
  refs.use(from, ref.at);
  return ref;
}

/** The full name of the street `text` names (a full name, alias or short name). */
export function resolveStreet(streets: Book, refs: References, text: string, from: At): string {
  const hits = streets.find(text);
  if (hits.some((h) => h.bad)) throw new ReportedElsewhere();
  if (hits.length > 1) throw new Error(`街道「${text}」不明确：${hits.map((h) => h.name).join('、')}`);
  if (hits.length === 0) throw new Error(`所属街道「${text}」不存在（街道表和系统里都没有）`);
  return use(refs, hits[0]!, from).name;
}

export function checkStreets(rows: readonly SheetRow[], streets: Book, problems: RosterProblem[]): StreetPlan[] {
  const seen = new Duplicates();
  return rows.flatMap(({ at, cells: c }) => {
    const row = new RowCheck(at);
    if (!c.name) row.fail('缺少街道名称');
    const duplicate = c.name ? seen.check(nameKey(c.name), at, `街道「${c.name}」`) : undefined;
    if (duplicate) row.fail(duplicate);
    const kind = row.try(() => optional(c.kind, (t) => parseChoice(t, '类型', STREET_KINDS)));
    const aliases = optional(c.aliases, parseList);
    const ok = row.report(problems);
    if (c.name && !duplicate) streets.add({ name: c.name, at, bad: !ok }, streetNames(c.name, aliases));
    return ok ? [{ at, name: c.name, aliases, district: c.district || undefined, kind }] : [];
  });
}
