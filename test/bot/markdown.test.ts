import { escapeMarkdown, fitReply, paginate, progressBar, utf8Bytes } from '../../src/text/markdown';

describe('markdown helpers', () => {
  it('makes user text inert: no tags, bold, links, code, quotes or headings', () => {
    const typed = '<font color="warning">x</font> **b** [l](u) `c`\n> q\n# h';
    const safe = escapeMarkdown(typed);
    expect(safe).not.toMatch(/[<>*`[\]\n]/);
    expect(escapeMarkdown('# 标题')).toBe('＃ 标题');
    expect(escapeMarkdown('3号楼#2单元')).toBe('3号楼#2单元');
  });

  it('draws a ten-cell progress bar', () => {
    expect(progressBar(50)).toBe('█████░░░░░ 50%');
    expect(progressBar(0)).toBe('░░░░░░░░░░ 0%');
    expect(progressBar(100)).toBe('██████████ 100%');
    expect(progressBar(99)).toBe('█████████░ 99%');
    expect(progressBar(140)).toBe('██████████ 100%');
  });

  it('pages a long list so that each page fits one message, every line on exactly one page', () => {
    const lines = Array.from({ length: 300 }, (_, i) => `#${i + 1} 东方花园 楼道灯不亮，已联系电工 ${'啊'.repeat(10)}`);
    const first = paginate({ header: ['**逾期**'], lines });
    expect(first.pages).toBeGreaterThan(2);
    const seen: string[] = [];
    for (let p = 1; p <= first.pages; p++) {
      const page = paginate({ header: ['**逾期**'], lines, page: p });
      expect(utf8Bytes(page.markdown)).toBeLessThanOrEqual(4096);
      expect(page.markdown.startsWith('**逾期**\n')).toBe(true);
      expect(page.markdown).toContain(`第 ${p}/${first.pages} 页`);
      seen.push(...page.markdown.split('\n').filter((l) => l.startsWith('#')));
    }
    expect(seen).toEqual(lines);
  });

  it('shows one page without a footer when everything fits', () => {
    expect(paginate({ header: ['t'], lines: ['a', 'b'] })).toEqual({ markdown: 't\na\nb', page: 1, pages: 1 });
  });

  it('cuts an over-long reply at a line end, with a note', () => {
    const long = Array.from({ length: 500 }, () => '一行中文内容').join('\n');
    const fitted = fitReply(long);
    expect(utf8Bytes(fitted)).toBeLessThanOrEqual(4096);
    expect(fitted.endsWith('…（内容过长，已截断）')).toBe(true);
    expect(fitReply('短')).toBe('短');
  });
});
