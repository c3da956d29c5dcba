/**
 * Byte-aware splitting of WeCom message text. WeCom counts UTF-8 bytes, not characters
 * (path/99110: text ≤ 2,048 bytes, markdown ≤ 4,096 bytes; path/90236: app text and markdown
 * ≤ 2,048 bytes), and one Chinese character is 3 bytes.
 */

/** Byte limits of message content, per channel and type. */
export const CONTENT_LIMITS = {
  /** Group robot webhook, path/99110. */
  webhook: { markdown: 4096, text: 2048 },
  /** Self-built app message, path/90236. */
  app: { markdown: 2048, text: 2048 },
  /**
   * Intelligent robot response_url, path/101138. The page gives no limit; we assume the
   * webhook's markdown limit, since one call is all a response_url allows.
   */
  responseUrl: { markdown: 4096, text: 4096 },
} as const;

/** The UTF-8 size of a string. */
export function utf8Bytes(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

const graphemes = new Intl.Segmenter('zh', { granularity: 'grapheme' });
/** Intl.Segmenter slows down more than linearly on long strings: it is given this many UTF-16 units at a time. */
const SEGMENT_WINDOW = 256;

/**
 * Printable ASCII, CJK punctuation, ideographs and full-width forms: none of them joins a
 * neighbour into one grapheme cluster (no Extend, ZWJ, SpacingMark, Prepend, Hangul or
 * regional indicator), so between two of them there is always a break (UAX #29, GB999).
 */
function isSimple(code: number): boolean {
  return (code >= 0x20 && code <= 0x7e) || (code >= 0x3000 && code <= 0x303f) || (code >= 0x4e00 && code <= 0x9fff) || (code >= 0xff01 && code <= 0xff5e);
}

/**
 * Appends the grapheme clusters of `text` to `out`, in linear time. A simple character
 * followed by another is a cluster of its own; elsewhere Intl.Segmenter is given a window,
 * and all its clusters but the last are kept (the last may go on past the window; grapheme
 * breaks depend only on what precedes a position and the one character after it).
 */
function pushGraphemes(text: string, out: string[]): void {
  let i = 0;
  while (i < text.length) {
    if (isSimple(text.charCodeAt(i)) && (i + 1 === text.length || isSimple(text.charCodeAt(i + 1)))) {
      out.push(text[i]!);
      i++;
      continue;
    }
    let end = Math.min(text.length, i + SEGMENT_WINDOW);
    const unit = text.charCodeAt(end - 1);
    if (end < text.length && unit >= 0xd800 && unit <= 0xdbff) end--; // never between a surrogate pair
    const segments = Array.from(graphemes.segment(text.slice(i, end)), (g) => g.segment);
    if (end < text.length && segments.length > 1) segments.pop();
    for (const g of segments) {
      out.push(g);
      i += g.length;
    }
  }
}

/** A whole `<font …>…</font>` span, in three parts. */
const FONT_SPAN = /^(<font\b[^<>]*>)([\s\S]*)(<\/font>)$/;
const FONT_OPEN = /<font\b[^<>]*>/y;
const MENTION = /<@[^<>\s]*>/y;
const OTHER_TAG = /<\/?[A-Za-z][^<>]*>/y;
const FONT_CLOSE = '</font>';

/** The tag starting at `at` (`<font …>…</font>`, `<@userid>` or another tag), or null. */
function tagAt(line: string, at: number, closeAfter: (from: number) => number): string | null {
  FONT_OPEN.lastIndex = at;
  if (FONT_OPEN.test(line)) {
    const close = closeAfter(FONT_OPEN.lastIndex);
    if (close !== -1) return line.slice(at, close + FONT_CLOSE.length);
  }
  for (const re of [MENTION, OTHER_TAG]) {
    re.lastIndex = at;
    if (re.test(line)) return line.slice(at, re.lastIndex);
  }
  return null;
}

/**
 * The pieces a line may be cut between: tags and font spans whole, the rest as grapheme
 * clusters (so neither a UTF-8 sequence nor an emoji with modifiers is ever cut). A font span
 * longer than `maxBytes` is opened up into its tags and characters; any other tag that long
 * is not a real tag and is cut like text. Linear in the line's length, whatever it holds
 * (thousands of unclosed `<font>` tags included).
 */
function atoms(line: string, maxBytes: number): string[] {
  const out: string[] = [];
  // The first "</font>" at or after a position. Positions only grow, and a search is repeated
  // only past the "</font>" the last one found, so the searches never overlap.
  let searchedFrom = Infinity;
  let foundAt = -1;
  const closeAfter = (from: number) => {
    if (!(searchedFrom <= from && (foundAt === -1 || foundAt >= from))) {
      searchedFrom = from;
      foundAt = line.indexOf(FONT_CLOSE, from);
    }
    return foundAt;
  };
  let last = 0;
  for (let at = line.indexOf('<'); at !== -1; at = line.indexOf('<', at + 1)) {
    const tag = tagAt(line, at, closeAfter);
    if (tag === null) continue;
    pushGraphemes(line.slice(last, at), out);
    const font = FONT_SPAN.exec(tag);
    if (utf8Bytes(tag) <= maxBytes) out.push(tag);
    else if (font) out.push(font[1]!, ...atoms(font[2]!, maxBytes), font[3]!);
    else pushGraphemes(tag, out);
    last = at + tag.length;
    at = last - 1;
  }
  pushGraphemes(line.slice(last), out);
  return out;
}

/**
 * Splits `text` into pieces of at most `maxBytes` UTF-8 bytes whose concatenation is exactly
 * `text`. Pieces end at line ends where possible; a single line longer than the limit is cut
 * between characters, never inside a UTF-8 character, a `<@userid>` mention or a
 * `<font …>…</font>` span (unless that span alone exceeds the limit).
 */
export function splitByBytes(text: string, maxBytes: number): string[] {
  if (maxBytes < 16) throw new RangeError(`maxBytes must be at least 16, got ${maxBytes}`);
  if (utf8Bytes(text) <= maxBytes) return [text];
  const pieces: string[] = [];
  let current = '';
  let currentBytes = 0;
  const flush = () => {
    if (current) pieces.push(current);
    current = '';
    currentBytes = 0;
  };
  const append = (s: string, bytes: number) => {
    if (currentBytes + bytes > maxBytes) flush();
    current += s;
    currentBytes += bytes;
  };
  // Each line keeps its "\n", so joining the pieces gives the text back.
  for (const line of text.match(/[^\n]*\n|[^\n]+$/g) ?? []) {
    const bytes = utf8Bytes(line);
    if (bytes <= maxBytes) {
      append(line, bytes);
      continue;
    }
    flush();
    for (const atom of atoms(line, maxBytes)) append(atom, utf8Bytes(atom));
  }
  flush();
  return pieces;
}

/**
 * Cuts `text` to at most `maxBytes` bytes at a line end (or character boundary) and adds
 * `note`, for channels that allow one message only.
 */
export function truncateToBytes(text: string, maxBytes: number, note: string): string {
  if (utf8Bytes(text) <= maxBytes) return text;
  return splitByBytes(text, maxBytes - utf8Bytes(note))[0]! + note;
}
