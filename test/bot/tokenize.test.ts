import { parseCommandLine, tokenize } from '../../src/bot/tokenize';

const texts = (raw: string) => tokenize(raw).map((t) => t.text);

describe('parseCommandLine', () => {
  it('accepts / and ／ and reads the name up to the first non-letter', () => {
    expect(parseCommandLine('/进度 #12 80%')?.name).toBe('进度');
    expect(parseCommandLine('／进度＃１２ ８０％')).toMatchObject({ name: '进度', args: [{ text: '#12' }, { text: '80%' }] });
    expect(parseCommandLine('  /help')?.name).toBe('help');
  });

  it('is null for text that is not a slash command', () => {
    expect(parseCommandLine('进度 80%')).toBeNull();
    expect(parseCommandLine('')).toBeNull();
    expect(parseCommandLine('http://x/y')).toBeNull();
  });
});

describe('tokenize', () => {
  it('splits on spaces and Chinese punctuation ，、；', () => {
    expect(texts('半天 清理杂物、政策宣讲，健康义诊；打扫卫生')).toEqual(['半天', '清理杂物', '政策宣讲', '健康义诊', '打扫卫生']);
    expect(texts('a\u3000b  c')).toEqual(['a', 'b', 'c']);
  });

  it('keeps quoted text together, without the quotes: “…” "…" 「…」', () => {
    expect(texts('“东方 花园” "a b" 「c，d」 e')).toEqual(['东方 花园', 'a b', 'c，d', 'e']);
    expect(tokenize('“东方 花园”')[0]!.quoted).toBe(true);
  });

  it('takes an unterminated quote to the end of the line', () => {
    expect(texts('x “a b')).toEqual(['x', 'a b']);
  });

  it('marks key=value and key：value, but not a separator inside quotes', () => {
    const [a, b, c, d] = tokenize('类别=工程 截止：9月20日 "x=y" 标题="路面 硬化"');
    expect(a).toMatchObject({ text: '类别=工程', keySep: 2 });
    expect(b).toMatchObject({ text: '截止:9月20日', keySep: 2 });
    expect(c).toMatchObject({ text: 'x=y', keySep: -1 });
    expect(d).toMatchObject({ text: '标题=路面 硬化', keySep: 2 });
  });

  it('records offsets into the original text', () => {
    const raw = '#12 80%，主路已硬化';
    const tokens = tokenize(raw);
    expect(tokens.map((t) => raw.slice(t.start, t.end))).toEqual(['#12', '80%', '主路已硬化']);
  });
});
