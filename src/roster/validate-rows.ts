/**
 * What the per-sheet checks (validate-*.ts) share: a row's cells, a check that collects
 * every problem of a row, duplicate keys, and the books of names (the database's and the
 * file's) that later sheets refer to.
 */
import { nameKey } from '../text/normalize';
import type { RosterProblem, RosterRow } from './read';

/** Where a planned record comes from. */
export interface At {
  source: string;
  row: number;
}

export const atKey = (at: At): string => `${at.source}\u0000${at.row}`;

const CELL_KEYS = [
  'name', 'aliases', 'district', 'kind', 'street', 'community', 'households', 'partyMembers', 'management',
  'partyOrg', 'partyOrgStatus', 'selfGov', 'selfGovStatus', 'volunteerTeams', 'demonstration',
  'selfGovContact', 'selfGovContactUserId',
  'unit', 'mobile', 'userId', 'roles', 'scope', 'courtyards',
] as const;
/** The cells of a row by field (see sheets.ts); cells of absent columns read as ''. */
export type Cells = Readonly<Record<(typeof CELL_KEYS)[number], string>>;

/** One data row of a sheet, ready to check. */
export interface SheetRow {
  at: At;
  cells: Cells;
}

export function sheetRow(source: string, row: RosterRow): SheetRow {
  return { at: { source, row: row.row }, cells: Object.fromEntries(CELL_KEYS.map((k) => [k, row.cells[k] ?? ''])) as Cells };
}

/** `parse(text)`, or undefined for an empty cell (which leaves the field as it is). */
export const optional = <T>(text: string, parse: (t: string) => T): T | undefined => (text === '' ? undefined : parse(text));

/**
 * Thrown when a cell names a row that is itself bad: that row's problem is reported there,
 * so this row fails with nothing more to say.
 */
export class ReportedElsewhere extends Error {}

/** Collects the problems of one row: every check runs, so one pass finds all of them. */
export class RowCheck {
  private readonly messages: string[] = [];
  private failed = false;

  constructor(readonly at: At) {}

  /** Runs one check; a thrown Error becomes a problem of this row. */
  try<T>(fn: () => T): T | undefined {
    try {
      return fn();
    } catch (err) {
      this.failed = true;
      if (!(err instanceof ReportedElsewhere)) this.messages.push((err as Error).message);
      return undefined;
    }
  }

  fail(message: string): void {
    this.failed = true;
    this.messages.push(message);
  }

  get ok(): boolean {
    return !this.failed;
  }

  /** Adds this row's problems to `problems`; returns whether it had none. */
  report(problems: RosterProblem[]): boolean {
    for (const message of this.messages) problems.push({ ...this.at, message });
    return this.ok;
  }
}

/** First-seen rows by key: the message for a later row with the same key, else undefined. */
export class Duplicates {
  private readonly seen = new Map<string, At>();

  check(key: string, at: At, what: string): string | undefined {
    const first = this.seen.get(key);
    if (!first) {
      this.seen.set(key, at);
      return undefined;
    }
    const where = first.source === at.source ? `第 ${first.row} 行` : `${first.source} 第 ${first.row} 行`;
    return `${what}与${where}重复`;
  }
}

/**
 * A street, community or courtyard that rows may name: from the database, the file, or both
 * (one entry). `bad`: its row has a problem, reported on that row.
 */
export interface Ref {
  name: string;
  /** The street's full name (communities and courtyards); absent when a bad row's street is unknown. */
  street?: string;
  /** The file's row for it. */
  at?: At;
  bad?: boolean;
  /** Deactivated in the database (courtyards). */
  inactive?: boolean;
}

/** Refs by every name users write for them; one name may have several (an ambiguity). */
export class Book {
  private readonly byName = new Map<string, Ref[]>();
  private readonly byKey = new Map<string, Ref>();

  /** Adds (or finds) the ref of (street, name) and files it under `names`. */
  add(ref: Ref, names: readonly string[]): Ref {
    const key = `${ref.street ?? ''}/${nameKey(ref.name)}`;
    const entry = this.byKey.get(key) ?? ref;
    if (entry !== ref) {
      entry.at ??= ref.at;
      entry.bad ||= ref.bad;
    }
    this.byKey.set(key, entry);
    for (const name of new Set([ref.name, ...names].map(nameKey).filter(Boolean))) {
      const list = this.byName.get(name) ?? [];
      if (!list.includes(entry)) list.push(entry);
      this.byName.set(name, list);
    }
    return entry;
  }

  find(name: string): Ref[] {
    return this.byName.get(nameKey(name)) ?? [];
  }
}

/**
 * Which rows name which: an old template's example row is imported only when another row
 * of the file names it (see examples.ts).
 */
export class References {
  private readonly to = new Map<string, Set<string>>();

  /** Row `from` names the record of row `target`. */
  use(from: At, target: At | undefined): void {
    if (!target) return;
    const key = atKey(target);
    (this.to.get(key) ?? this.to.set(key, new Set()).get(key)!).add(atKey(from));
  }

  /**
   * The candidates (in sheet order) no kept row names, taken last sheet first: rows only
   * name rows of earlier sheets, so each verdict is final when it is made.
   */
  unnamed(candidates: readonly At[], rows: readonly At[]): Set<string> {
    const candidateKeys = new Set(candidates.map(atKey));
    const kept = new Set(rows.map(atKey).filter((k) => !candidateKeys.has(k)));
    const dropped = new Set<string>();
    for (const c of [...candidates].reverse()) {
      const key = atKey(c);
      if ([...(this.to.get(key) ?? [])].some((from) => kept.has(from))) kept.add(key);
      else dropped.add(key);
    }
    return dropped;
  }
}

/** 济源路街道 → 济源路 (how people shorten a street's name). */
export function shortStreetName(name: string): string {
  return name.replace(/(街道办事处|街道|办事处)$/, '');
}
