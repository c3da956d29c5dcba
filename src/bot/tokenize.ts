import { normalizeWidth } from '../text/normalize';

/** One argument of a command line. */
export interface Token {
  /** The argument, width-normalised (quoted parts as typed), with its quotes removed. */
  text: string;
  /** Offsets of the token in the original text (quotes included). */
  start: number;
  end: number;
  /** Whether any part of it was quoted. */
  quoted: boolean;
  /**
   * Offset in `text` of a `=` or `:` that may separate a key from a value (`类别=工程`,
   * `截止：9月20日`): the first one outside quotes; -1 when there is none. Whether it is a
   * key is for the command to say (only its declared keys count).
   */
  keySep: number;
}

/** A slash command split into its name and arguments. */
export interface CommandLine {
  /** The command word after the slash, width-normalised (`进度`, `help`). */
  name: string;
  /** Offset of the name in `raw`. */
  nameStart: number;
  args: Token[];
  /** The original text, as typed. */
  raw: string;
}

/** Opening quote → closing quote. */
const QUOTES: Record<string, string> = { '"': '"', '“': '”', '”': '”', '「': '」', '『': '』' };
/** Argument separators once normalised: whitespace and , ; 、 (also typed as ，；). */
const SEPARATOR = /[\s,;、]/;
/** Characters of a command name: letters of any script (the name stops at `#12`, digits, …). */
const NAME_CHAR = /[\p{L}_-]/u;

/** Splits the arguments part of a command line (`start` is where it begins in `raw`). */
export function tokenize(raw: string, start = 0): Token[] {
  const text = normalizeWidth(raw);
  const tokens: Token[] = [];
  let i = start;
  while (i < text.length) {
    if (SEPARATOR.test(text[i]!)) {
      i++;
      continue;
    }
    const tokenStart = i;
    let value = '';
    let quoted = false;
    let keySep = -1;
    while (i < text.length && !SEPARATOR.test(text[i]!)) {
      const ch = text[i]!;
      const close = QUOTES[ch];
      if (close) {
        quoted = true;
        const end = text.indexOf(close, i + 1);
        const stop = end === -1 ? text.length : end;
        // Quoted text is kept as typed (full-width punctuation and all).
        value += raw.slice(i + 1, stop);
        i = stop + 1;
        continue;
      }
      if ((ch === '=' || ch === ':') && keySep === -1 && !quoted) keySep = value.length;
      value += ch;
      i++;
    }
    tokens.push({ text: value, start: tokenStart, end: Math.min(i, text.length), quoted, keySep });
  }
  return tokens;
}

/**
 * Parses `/命令 参数…` (also `／命令`); null when the text is not a slash command.
 * The name is the run of letters after the slash: `/进度#12 80%` is 进度 with `#12`, `80%`.
 */
export function parseCommandLine(raw: string): CommandLine | null {
  const text = normalizeWidth(raw);
  const slash = text.search(/\S/);
  if (slash === -1 || text[slash] !== '/') return null;
  let end = slash + 1;
  while (end < text.length && NAME_CHAR.test(text[end]!)) end++;
  return { name: text.slice(slash + 1, end), nameStart: slash + 1, args: tokenize(raw, end), raw };
}
