import { matchName } from '../../src/services/name-match';

const yards = [
  { name: '东方花园', aliases: ['东方'] },
  { name: '陇海安居', aliases: [] },
  { name: '水泵厂家属院', aliases: [] },
  { name: '劳动局家属院', aliases: [] },
];
const match = (q: string) => matchName(yards, (y) => [y.name, ...y.aliases], q);

describe('matchName', () => {
  it('finds the exact name or an alias', () => {
    expect(match('东方花园')).toEqual({ kind: 'one', item: yards[0] });
    expect(match('东方')).toEqual({ kind: 'one', item: yards[0] });
    expect(match('东方 花园')).toEqual({ kind: 'one', item: yards[0] });
  });

  it('takes a unique prefix, then a contained part of two characters or more', () => {
    expect(match('陇海')).toEqual({ kind: 'one', item: yards[1] });
    expect(match('水泵')).toEqual({ kind: 'one', item: yards[2] });
    expect(match('劳动局')).toEqual({ kind: 'one', item: yards[3] });
  });

  it('lists the candidates when several match as well', () => {
    expect(match('家属院')).toEqual({ kind: 'many', items: [yards[2], yards[3]] });
  });

  it('forgives one wrong character', () => {
    expect(match('东方花圆')).toEqual({ kind: 'one', item: yards[0] });
  });

  it('finds nothing for something else, with near names when there are any', () => {
    expect(match('天坛')).toEqual({ kind: 'none', near: [] });
    expect(match('东风花圆')).toEqual({ kind: 'none', near: [yards[0]] });
    expect(match('')).toEqual({ kind: 'none', near: [] });
  });
});
