/**
 * Input normalisation for command text typed on Chinese keyboards: full-width ASCII
 * (`／进度 ＃１２ ８０％`, `截止：9月20日`, `（区医保局）`) becomes ASCII, and ideographic and
 * no-break spaces become plain spaces.
 *
 * Every character maps to exactly one UTF-16 unit, so offsets into the normalised text are
 * offsets into the original: the tokenizer splits the normalised text and free text (a
 * progress note) is cut from the original, as the user typed it.
 */
export function normalizeWidth(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xff01 && code <= 0xff5e) out += String.fromCharCode(code - 0xfee0);
    else if (code === 0x3000 || code === 0x00a0) out += ' ';
    else out += text[i];
  }
  return out;
}

/** Lower-cases ASCII letters only, so command names and keys compare case-insensitively. */
export function foldCase(text: string): string {
  return text.replace(/[A-Z]+/g, (s) => s.toLowerCase());
}

/** The comparison form of a name: width-normalised, case-folded, without spaces. */
export function nameKey(text: string): string {
  return foldCase(normalizeWidth(text)).replace(/\s+/g, '');
}
