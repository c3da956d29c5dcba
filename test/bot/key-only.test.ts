import { z } from 'zod';
import { arg, keyOnly } from '../../src/bot/args';
import { bindArgs } from '../../src/bot/bind-args';
import { defineCommand } from '../../src/bot/define-command';
import { createRegistry } from '../../src/bot/registry';
import { tokenize } from '../../src/bot/tokenize';

const NOW = new Date('2020-09-16T02:00:00Z');

const note = defineCommand({
  name: '记录',
  summary: '',
  allow: 'anyone',
  usage: ['/记录 楼道灯不亮 日期=昨天'],
  args: z.object({ text: arg.text('内容'), day: keyOnly(arg.date('日期').optional()) }),
  keys: { 日期: 'day' },
  run: async () => null,
});

const bind = (line: string) => bindArgs(note, tokenize(line), line, { now: NOW });

describe('keyOnly fields', () => {
  it('are filled by key=value anywhere on the line, never by position', async () => {
    expect(await bind('楼道灯不亮 日期=昨天')).toEqual({ text: '楼道灯不亮', day: new Date('2020-09-14T16:00:00Z') });
    expect(await bind('日期：昨天 楼道灯 不亮')).toEqual({ text: '楼道灯 不亮', day: new Date('2020-09-14T16:00:00Z') });
    expect(await bind('楼道灯不亮 昨天')).toEqual({ text: '楼道灯不亮 昨天' });
  });

  it('may follow the rest of the line; other fields may not', () => {
    expect(() => createRegistry([note])).not.toThrow();
    const bad = defineCommand({
      name: '记录',
      summary: '',
      allow: 'anyone',
      usage: ['/记录 楼道灯不亮'],
      args: z.object({ text: arg.text('内容'), day: arg.date('日期').optional() }),
      run: async () => null,
    });
    expect(() => createRegistry([bad])).toThrow('"text" takes the rest of the line, so it must be the last field');
  });
});
