/**
 * Checks a whole roster before anything is written: every cell, every reference (a
 * community's street, a courtyard's community, a cadre's courtyards) against the file and
 * the database, and duplicates. One pass finds every problem, each on its own row: a row
 * naming a bad row is not reported again. Returns the plan to write, or every problem found.
 * The checks of each sheet are in validate-streets/-communities/-courtyards/-cadres.ts.
 */
import type { Models } from '../db/models';
import { OLD_EXAMPLE_SKIPPED, sortOutExamples } from './examples';
import type { RawSheet, RosterProblem } from './read';
import { SHEETS } from './sheets';
import { checkCadres, type CadrePlan } from './validate-cadres';
import { checkCommunities, type CommunityPlan } from './validate-communities';
import { checkCourtyards, type CourtyardBooks, type CourtyardPlan } from './validate-courtyards';
import { atKey, Book, References, type At } from './validate-rows';
import { checkStreets, streetNames, type StreetPlan } from './validate-streets';

export type { At } from './validate-rows';
export type { CadrePlan } from './validate-cadres';
export type { CommunityPlan } from './validate-communities';
export type { CourtyardPlan, OrgPlan } from './validate-courtyards';
export type { StreetPlan } from './validate-streets';

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

export interface ValidateOptions {
  /** Courtyards left out of a 楼院 sheet will be deactivated: cadre rows may not name them. */
  removeMissing?: boolean;
}

export interface Validated {
  plan: RosterPlan;
  problems: RosterProblem[];
  /** The template's example rows, left out (not problems). */
  skipped: RosterProblem[];
}

/** The database's streets, communities and courtyards, by every name users write. */
async function loadBooks(models: Models): Promise<Omit<CourtyardBooks, 'unlistedRemoved'>> {
  const books = { streets: new Book(), communities: new Book(), courtyards: new Book(), refs: new References() };
  const streetName = new Map<string, string>();
  for (const s of await models.Street.find().lean()) {
    streetName.set(String(s._id), s.name);
    books.streets.add({ name: s.name }, streetNames(s.name, s.aliases));
  }
  for (const c of await models.Community.find().lean()) {
    const street = streetName.get(String(c.street));
    if (street) books.communities.add({ name: c.name, street }, c.aliases);
  }
  for (const y of await models.Courtyard.find().lean()) {
    const street = streetName.get(String(y.street));
    if (street) books.courtyards.add({ name: y.name, street, inactive: y.active === false }, y.aliases);
  }
  return books;
}

/** Sources in order of first appearance, rows in order within each. */
function inRowOrder(list: RosterProblem[]): RosterProblem[] {
  const sources = [...new Set(list.map((p) => p.source))];
  const rank = (p: RosterProblem) => sources.indexOf(p.source);
  return [...list].sort((a, b) => rank(a) - rank(b) || (a.row ?? 0) - (b.row ?? 0));
}

export async function validateRoster(models: Models, sheets: readonly RawSheet[], opts: ValidateOptions = {}): Promise<Validated> {
  const { rows, skipped, candidates } = sortOutExamples(sheets);
  const books: CourtyardBooks = { ...(await loadBooks(models)), unlistedRemoved: Boolean(opts.removeMissing) && rows.courtyards.length > 0 };
  const found: Record<keyof RosterPlan, RosterProblem[]> = { streets: [], communities: [], courtyards: [], cadres: [] };
  const plan: RosterPlan = {
    streets: checkStreets(rows.streets, books.streets, found.streets),
    communities: checkCommunities(rows.communities, books, found.communities),
    courtyards: checkCourtyards(rows.courtyards, books, found.courtyards),
    cadres: await checkCadres(models, rows.cadres, books, found.cadres),
  };

  // Old templates' example rows that no other row names are left out, with their problems.
  const dropped = books.refs.unnamed(
    candidates.map((c) => c.at),
    SHEETS.flatMap((s) => rows[s.kind].map((r) => r.at)),
  );
  const kept = (at: At) => !dropped.has(atKey(at));
  for (const { kind, at } of candidates) if (!kept(at)) skipped[kind].push({ ...at, message: OLD_EXAMPLE_SKIPPED });
  return {
    plan: {
      streets: plan.streets.filter((p) => kept(p.at)),
      communities: plan.communities.filter((p) => kept(p.at)),
      courtyards: plan.courtyards.filter((p) => kept(p.at)),
      cadres: plan.cadres,
    },
    // Per table in row order (a cadre's duplicates are found after all its rows are read).
    problems: SHEETS.flatMap((s) => inRowOrder(found[s.kind].filter((p) => kept(p as At)))),
    skipped: SHEETS.flatMap((s) => inRowOrder(skipped[s.kind])),
  };
}
