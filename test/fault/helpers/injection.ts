import type { Command } from '../../../src/bot/define-command';
import { parseCommandLine } from '../../../src/bot/tokenize';

/**
 * What a hostile user types where a value belongs: MongoDB operators, quoted (the tokenizer
 * drops the quotes) and bare. `npm test` sends these; the soak sends ALL_INJECTIONS.
 */
export const INJECTIONS = ['{"$gt":""}', '{$ne:null}'];
export const ALL_INJECTIONS = [...INJECTIONS, '{"$where":"sleep(1000)"}', '$where', '{"$regex":".*"}', 'a[$ne]=1', '$gt', '{"$in":[]}'];

/** Each usage line of `command`, with one argument (or key=value value) replaced by `payload`, and with `payload` as the only argument. */
export function injectedLines(command: Command, payload: string): string[] {
  const out = new Set<string>();
  for (const usage of command.usage) {
    const parsed = parseCommandLine(usage);
    if (!parsed) continue;
    const head = usage.slice(0, parsed.nameStart + parsed.name.length);
    const tokens = parsed.args.map((t) => t.text);
    for (let i = 0; i < tokens.length; i++) {
      const keyed = /^([^=＝]+)[=＝]/.exec(tokens[i]!);
      out.add(`${head} ${tokens.map((t, j) => (j === i ? (keyed ? `${keyed[1]}=${payload}` : payload) : t)).join(' ')}`);
    }
    out.add(`${head} ${payload}`);
  }
  return [...out];
}

