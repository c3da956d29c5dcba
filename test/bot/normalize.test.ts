import { foldCase, nameKey, normalizeWidth } from '../../src/text/normalize';

describe('normalizeWidth', () => {
  it('turns full-width digits, letters, slash, percent and punctuation into ASCII', () => {
    expect(normalizeWidth('／进度　＃１２　８０％')).toBe('/进度 #12 80%');
    expect(normalizeWidth('ＡＢｃ，：；（）＝')).toBe('ABc,:;()=');
  });

  it('keeps Chinese text and the length, so offsets still point into the original', () => {
    const raw = '主路已硬化，明天验收';
    expect(normalizeWidth(raw)).toHaveLength(raw.length);
    expect(normalizeWidth(raw)).toBe('主路已硬化,明天验收');
    expect(normalizeWidth('“东方花园”、「陇海」')).toBe('“东方花园”、「陇海」');
  });
});

describe('name comparison', () => {
  it('folds ASCII case only and drops spaces', () => {
    expect(foldCase('Help 帮助')).toBe('help 帮助');
    expect(nameKey(' 东方 花园 ')).toBe('东方花园');
    expect(nameKey('ＨＥＬＰ')).toBe('help');
  });
});
