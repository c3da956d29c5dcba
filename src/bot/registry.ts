import type { Command } from './define-command';
import { editDistanceWithin } from '../text/edit-distance';
import { isKeyOnly, restKindOf } from './args/make-arg';
import { foldCase } from '../text/normalize';
import { parseCommandLine } from './tokenize';

/** Thrown at start-up when the declarations are inconsistent; lists every problem at once. */
export class RegistryError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid command declarations:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'RegistryError';
  }
}

/** The commands, looked up by name or alias (ASCII case-insensitive). */
export interface Registry {
  /** In declaration order (the order of /帮助). */
  readonly commands: readonly Command[];
  find(name: string): Command | undefined;
  /** A subcommand of `command` by name or alias. */
  findSub(command: Command, word: string): Command | undefined;
  /**
   * When `word` is a command name run together with its first argument (`绑定楼院`), the
   * command and the rest (`楼院`).
   */
  splitName(word: string): { command: Command; rest: string } | undefined;
  /** The closest commands to an unknown name (by edit distance over names and aliases), best first. */
  suggest(word: string): Command[];
}

const VALID_NAME = /^[\p{L}_-]+$/u;

function namesOf(c: Command): string[] {
  return [c.name, ...c.aliases];
}

/** Checks one command's declaration; problems are pushed to `problems`. */
function checkCommand(c: Command, parentNames: string[] | undefined, problems: string[], fallback = false): void {
  const where = parentNames ? `/${parentNames[0]} ${c.name}` : `/${c.name}`;
  for (const name of namesOf(c)) {
    if (!VALID_NAME.test(name)) problems.push(`${where}: name "${name}" must be letters only (no spaces, digits or punctuation)`);
  }
  if (c.subcommands.length === 0 && !c.run) problems.push(`${where}: has neither run nor subcommands`);
  if (c.subcommands.length === 0 && c.usage.length === 0) problems.push(`${where}: give at least one usage example`);
  const own = namesOf(c).map(foldCase);
  for (const line of c.usage) {
    const parsed = parseCommandLine(line);
    const ok = parentNames
      ? parsed && parentNames.map(foldCase).includes(foldCase(parsed.name)) && (fallback || own.includes(foldCase(parsed.args[0]?.text ?? '')))
      : parsed && own.includes(foldCase(parsed.name));
    if (!ok) problems.push(`${where}: usage "${line}" does not start with ${where} (or an alias)`);
  }
  const shape = c.args?.shape ?? {};
  const fields = Object.keys(shape);
  for (const [key, field] of Object.entries(c.keys)) {
    if (!fields.includes(field)) problems.push(`${where}: key "${key}" names unknown field "${field}"`);
  }
  // Fields filled only by key=value may follow the rest field.
  const positional = fields.filter((field) => !isKeyOnly(shape[field]!));
  positional.forEach((field, i) => {
    if (restKindOf(shape[field]!) && i !== positional.length - 1) {
      problems.push(`${where}: "${field}" takes the rest of the line, so it must be the last field`);
    }
  });
  if (c.subcommands.length) {
    duplicates(c.subcommands, `${where} subcommand`, problems);
    for (const sub of c.subcommands) checkCommand(sub, namesOf(c), problems, sub.name === c.fallbackSubcommand);
    for (const [what, name] of [['defaultSubcommand', c.defaultSubcommand], ['fallbackSubcommand', c.fallbackSubcommand]] as const) {
      if (name && !c.subcommands.some((s) => namesOf(s).includes(name))) problems.push(`${where}: ${what} "${name}" is not one of its subcommands`);
    }
  }
}

function duplicates(commands: readonly Command[], what: string, problems: string[]): Map<string, Command> {
  const byName = new Map<string, Command>();
  for (const c of commands) {
    for (const name of namesOf(c)) {
      const key = foldCase(name);
      const other = byName.get(key);
      if (other && other !== c) problems.push(`${what} name "${name}" is used by both ${other.name} and ${c.name}`);
      else if (other === c) problems.push(`${what} ${c.name} lists "${name}" twice`);
      else byName.set(key, c);
    }
  }
  return byName;
}

/** Builds the registry; throws a RegistryError listing every duplicate name or bad declaration. */
export function createRegistry(commands: readonly Command[]): Registry {
  const problems: string[] = [];
  const byName = duplicates(commands, 'command', problems);
  for (const c of commands) checkCommand(c, undefined, problems);
  if (problems.length) throw new RegistryError(problems);

  return {
    commands,
    find: (name) => byName.get(foldCase(name)),
    findSub: (command, word) => command.subcommands.find((s) => namesOf(s).some((n) => foldCase(n) === foldCase(word))),
    splitName(word) {
      const w = foldCase(word);
      let best: { command: Command; rest: string } | undefined;
      for (const [name, command] of byName) {
        if (w.startsWith(name) && w.length > name.length && (!best || name.length > word.length - best.rest.length)) {
          best = { command, rest: word.slice(name.length) };
        }
      }
      return best;
    },
    suggest(word) {
      const w = foldCase(word);
      if (!w) return [];
      const length = [...w].length;
      const limit = length <= 2 ? 1 : length <= 5 ? 2 : 3;
      const scored = commands
        .map((c) => {
          const d = Math.min(
            ...namesOf(c).map((n) => {
              const name = foldCase(n);
              // A typed beginning of a name is as good as a one-letter slip.
              return name.startsWith(w) || w.startsWith(name) ? Math.min(1, editDistanceWithin(name, w, limit)) : editDistanceWithin(name, w, limit);
            }),
          );
          return { c, d };
        })
        .filter(({ d }) => d <= limit)
        .sort((a, b) => a.d - b.d);
      return scored.slice(0, 3).map((s) => s.c);
    },
  };
}
