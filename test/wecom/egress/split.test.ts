import { splitByBytes, truncateToBytes, utf8Bytes } from '../../../src/text/split';

const chineseLines = (bytes: number) => {
  const lines: string[] = [];
  for (let i = 1; lines.join('\n').length * 3 < bytes; i++) lines.push(`${i}. 东方花园 3号楼楼道灯不亮，已联系电工更换，居民评价满意。`);
  return lines.join('\n');
};

describe('splitByBytes', () => {
  it('keeps a message within the limit as it is', () => {
    expect(splitByBytes('今日进度：**80%**', 4096)).toEqual(['今日进度：**80%**']);
  });

  it('splits 10 KB of Chinese lines at line ends into pieces of at most 4,096 bytes that join to the original', () => {
    const text = chineseLines(10 * 1024);
    const pieces = splitByBytes(text, 4096);
    expect(pieces.length).toBeGreaterThanOrEqual(3);
    for (const p of pieces) expect(utf8Bytes(p)).toBeLessThanOrEqual(4096);
    expect(pieces.join('')).toBe(text);
    for (const p of pieces.slice(0, -1)) expect(p.endsWith('\n')).toBe(true);
  });

  it('cuts a single long line between characters, never inside one (emoji included)', () => {
    const text = '进度😀👨‍👩‍👧'.repeat(600);
    const pieces = splitByBytes(text, 2048);
    expect(pieces.length).toBeGreaterThan(1);
    for (const p of pieces) {
      expect(utf8Bytes(p)).toBeLessThanOrEqual(2048);
      expect(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(p)).toBe(false); // no lone surrogate
      expect(p.startsWith('\u200d')).toBe(false); // a family emoji is one grapheme: never split at its joiner
    }
    expect(pieces.join('')).toBe(text);
  });

  it('never cuts a <@userid> mention or a <font> span', () => {
    const text = '请<@zhangsan>尽快处理<font color="warning">逾期3天</font>的项目；'.repeat(200);
    const pieces = splitByBytes(text, 1000);
    expect(pieces.length).toBeGreaterThan(1);
    for (const p of pieces) {
      expect(p.split('<@').length).toBe(p.split('<@zhangsan>').length);
      expect(p.split('<font').length).toBe(p.split('</font>').length);
      expect(utf8Bytes(p)).toBeLessThanOrEqual(1000);
    }
    expect(pieces.join('')).toBe(text);
  });
});

describe('splitByBytes on 44 KB of hostile text (the size of the issue’s /撤销)', () => {
  const cases: Record<string, string> = {
    'unclosed <font> tags': '<font color="warning">紧急'.repeat(1900),
    'mentions without an end': '<@a'.repeat(15_000),
    'one line of ASCII': 'a'.repeat(44_000),
    'emoji with modifiers and joiners': '👍🏽👨‍👩‍👧🇨🇳'.repeat(2500),
    'tags, spans and text mixed': '<font color="info">东方花园</font><@zhangsan><b>x</b>进度80%'.repeat(900),
  };

  it.each(Object.keys(cases))('%s: pieces within the limit that join to the text, nothing cut inside a character, mention or span', (name) => {
    const text = cases[name]!;
    expect(utf8Bytes(text)).toBeGreaterThan(40_000);
    const pieces = splitByBytes(text, 4096);
    expect(pieces.join('')).toBe(text);
    for (const p of pieces) {
      expect(utf8Bytes(p)).toBeLessThanOrEqual(4096);
      expect(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(p)).toBe(false);
      expect(/^(?:\u200d|[\u{1f3fb}-\u{1f3ff}])/u.test(p)).toBe(false); // never starts with a joiner or a skin-tone modifier
      expect(p.split('<@zhangsan').length).toBe(p.split('<@zhangsan>').length);
      expect(p.split('<font color="info">').length).toBe(p.split('东方花园</font>').length);
    }
    // Flags are pairs of regional indicators: a piece holds whole pairs only.
    if (name.startsWith('emoji')) for (const p of pieces) expect([...p.matchAll(/[\u{1f1e6}-\u{1f1ff}]/gu)].length % 2).toBe(0);
  });
});

describe('truncateToBytes', () => {
  it('cuts at a line end and adds the note, within the limit', () => {
    const text = chineseLines(8000);
    const cut = truncateToBytes(text, 4096, '\n（已截断）');
    expect(utf8Bytes(cut)).toBeLessThanOrEqual(4096);
    expect(cut.endsWith('\n（已截断）')).toBe(true);
    expect(text.startsWith(cut.slice(0, -'\n（已截断）'.length))).toBe(true);
  });
});
