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

/** `<font …>…</font>` spans, `<@userid>` mentions and any other tag stay whole. */
const TAG = /<font\b[^<>]*>[\s\S]*?<\/font>|<@[^<>\s]*>|<\/?[A-Za-z][^<>]*>/g;
const FONT_SPAN = /^(<font\b[^<>]*>)([\s\S]*)(<\/font>)$/;

/**
 * The pieces a line may be cut between: tags and font spans whole, the rest as grapheme
 * clusters (so neither a UTF-8 sequence nor an emoji with modifiers is ever cut). A font span
 * longer than `maxBytes` is opened up into its tags and characters; any other tag that long
 * is not a real tag and is cut like text.
 */
function atoms(line: string, maxBytes: number): string[] {
  const out: string[] = [];
  const addText = (text: string) => {
    for (const g of graphemes.segment(text)) out.push(g.segment);
  };
  let last = 0;
  for (const m of line.matchAll(TAG)) {
    addText(line.slice(last, m.index));
    const tag = m[0];
    const font = FONT_SPAN.exec(tag);
    if (utf8Bytes(tag) <= maxBytes) out.push(tag);
    else if (font) out.push(font[1]!, ...atoms(font[2]!, maxBytes), font[3]!);
    else addText(tag);
    last = m.index + tag.length;
  }
  addText(line.slice(last));
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
