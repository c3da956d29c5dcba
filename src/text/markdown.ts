/**
 * Building replies in the WeCom markdown subset every client renders (WECOM.md "Webhook
 * push", path/99110): headings, **bold**, [links](url), `code`, `>` quotes,
 * `<font color="info|comment|warning">` and `<@userid>` mentions. Nothing else (no tables,
 * no lists syntax): lines are laid out by hand.
 */
import { splitByBytes, utf8Bytes } from './split';

/** WeCom's limit for one markdown message (path/99110). */
export const MAX_REPLY_BYTES = 4096;

/** green / grey / orange text. */
export type FontColor = 'info' | 'comment' | 'warning';

/**
 * Every character that ends a line somewhere: CR, LF, VT, FF, NEL, and Unicode's line and
 * paragraph separators (U+2028, U+2029). A client may break a line at any of them, and a
 * line start is where `#` and `>` become markup.
 */
const LINE_BREAKS = /\r\n|[\n\r\v\f\u0085\u2028\u2029]/g;
/** Other control characters (NUL, ESC …): nothing a chat line should carry. */
// eslint-disable-next-line no-control-regex -- matching control characters is this pattern's job
const CONTROLS = /[\u0000-\u0008\u000e-\u001f\u007f]/g;
/** Characters that open markup anywhere in a line: bold, code, tags (mentions, fonts), links, escapes. */
const MARKUP = /[*`<>[\]\\]/g;

const fullWidth = (ch: string) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0);

/**
 * Makes user-typed text inert inside markdown: the characters that would start markup or a
 * tag are replaced by their full-width look-alikes, and line breaks of every kind by spaces
 * (so a typed `>` or `#` cannot become a quote or heading, nor `<@all>` a mention).
 */
export function escapeMarkdown(text: string): string {
  return escapeInline(text).replace(/^(\s*)#/, (_, space: string) => `${space}＃`);
}

/** escapeMarkdown for text that never starts a line (it follows other text on it): a `#` stays. */
export function escapeInline(text: string): string {
  return text.replace(LINE_BREAKS, ' ').replace(CONTROLS, '').replace(MARKUP, fullWidth);
}

/**
 * For the text of a refusal or an error (plain Chinese of ours with `code` spans, quoting
 * what the user typed): what escapeMarkdown does, except that line feeds and backticks are
 * kept, and `#` or `>` at the start of any line is made inert. The dispatcher passes every
 * error message through it, so a word echoed from the user never becomes markup.
 */
export function inertLines(text: string): string {
  return text
    .split('\n')
    .map((line) =>
      line
        .replace(LINE_BREAKS, ' ')
        .replace(CONTROLS, '')
        .replace(/[*<>[\]\\]/g, fullWidth)
        .replace(/^(\s*)#/, (_, space: string) => `${space}＃`),
    )
    .join('\n');
}

/** `**text**`; `text` must already be safe (escape user text first). */
export function bold(text: string): string {
  return `**${text}**`;
}

/** `<font color="…">text</font>`. */
export function font(color: FontColor, text: string): string {
  return `<font color="${color}">${text}</font>`;
}

/** `<@userid>`: renders as an @mention of that user. */
export function mention(userId: string): string {
  return `<@${userId}>`;
}

/** `> line` for each line. */
export function quote(text: string): string {
  return text
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n');
}

/**
 * A text progress bar: `progressBar(50)` → `█████░░░░░ 50%`. Percent is clamped to 0–100;
 * a bar is only full at 100.
 */
export function progressBar(percent: number, width = 10): string {
  const p = Math.max(0, Math.min(100, Math.round(percent)));
  const filled = p === 100 ? width : Math.min(width - 1, Math.round((p / 100) * width));
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)} ${p}%`;
}

/** `n/d` as a whole percentage (0 when d is 0). */
export function percentOf(n: number, d: number): number {
  return d === 0 ? 0 : Math.round((n / d) * 100);
}

/** The UTF-8 size of a string; WeCom's limits count bytes, and a Chinese character is 3. */
export { utf8Bytes };

export interface PageOptions {
  /** Lines shown above the items on every page (a title). */
  header: string[];
  /** The items, one line each. */
  lines: string[];
  /** 1-based page to show; out of range shows the last page. */
  page?: number;
  /**
   * The footer of a page when there are several, e.g.
   * `(p, n) => \`第 ${p}/${n} 页，发送 /逾期 ${p + 1} 看下一页\``.
   */
  footer?: (page: number, pages: number) => string;
  maxBytes?: number;
}

export interface Page {
  markdown: string;
  page: number;
  pages: number;
}

/**
 * Packs lines into pages that each fit one message (header + lines + footer ≤ maxBytes) and
 * returns the requested one. For long lists: `/逾期 2` shows page 2.
 */
export function paginate(opts: PageOptions): Page {
  const maxBytes = opts.maxBytes ?? MAX_REPLY_BYTES;
  const footer = opts.footer ?? ((p: number, n: number) => `第 ${p}/${n} 页`);
  const header = opts.header.join('\n');
  // Room for the footer of a three-digit page count, so packing does not depend on it.
  const budget = maxBytes - utf8Bytes(header) - utf8Bytes(footer(999, 999)) - 2;
  const pages: string[][] = [[]];
  let used = 0;
  for (const line of opts.lines) {
    const pieces = splitByBytes(line, Math.max(16, budget));
    for (const piece of pieces) {
      const bytes = utf8Bytes(piece) + 1;
      if (used + bytes > budget && pages[pages.length - 1]!.length > 0) {
        pages.push([]);
        used = 0;
      }
      pages[pages.length - 1]!.push(piece);
      used += bytes;
    }
  }
  const total = pages.length;
  const page = Math.min(Math.max(1, Math.floor(opts.page ?? 1)), total);
  const body = [header, ...pages[page - 1]!].filter((s) => s !== '');
  if (total > 1) body.push(footer(page, total));
  return { markdown: body.join('\n'), page, pages: total };
}

/**
 * Keeps a reply within one message: cut at a line end with a note when too long. A safety
 * net for the dispatcher; commands with long lists should page (see {@link paginate}).
 */
export function fitReply(markdown: string, maxBytes = MAX_REPLY_BYTES): string {
  const note = '\n…（内容过长，已截断）';
  if (utf8Bytes(markdown) <= maxBytes) return markdown;
  return splitByBytes(markdown, maxBytes - utf8Bytes(note))[0]!.replace(/\n$/, '') + note;
}
