import { z } from 'zod';
import { arg } from '../../src/bot/args';
import { bindArgs } from '../../src/bot/bind-args';
import { defineCommand } from '../../src/bot/define-command';
import { tokenize } from '../../src/bot/tokenize';
import { UserError } from '../../src/errors';

const NOW = new Date('2020-09-16T02:00:00Z');

const progress = defineCommand({
  name: '进度',
  summary: '',
  allow: 'anyone',
  usage: ['/进度 #12 80% 主路已硬化'],
  args: z.object({ project: arg.word('项目'), percent: arg.percent(), note: arg.text('备注').optional() }),
  keys: { 项目: 'project', 进度: 'percent', 备注: 'note' },
  run: async () => null,
});

const create = defineCommand({
  name: '项目',
  summary: '',
  allow: 'anyone',
  usage: ['/项目 路面硬化 类别=工程 截止=9月20日'],
  args: z.object({
    title: arg.word('标题'),
    category: arg.choice('类别', ['工程', '管理', '服务'], { 工程类: '工程' }),
    deadline: arg.date('截止').optional(),
  }),
  keys: { 标题: 'title', 类别: 'category', 截止: 'deadline' },
  run: async () => null,
});

const visit = defineCommand({
  name: '下沉',
  summary: '',
  allow: 'anyone',
  usage: ['/下沉 半天 清理杂物'],
  args: z.object({ hours: arg.duration(), activities: arg.words('活动') }),
  run: async () => null,
});

const bind = (command: typeof progress, text: string) => bindArgs(command, tokenize(text), text, { now: NOW });

describe('bindArgs', () => {
  it('fills fields in order, the rest field getting the rest of the line as typed', async () => {
    await expect(bind(progress, '#12 ８０％ 主路已硬化，明天验收')).resolves.toEqual({
      project: '#12',
      percent: 80,
      note: '主路已硬化，明天验收',
    });
    await expect(bind(progress, '#12 完成')).resolves.toEqual({ project: '#12', percent: 100 });
  });

  it('takes key=value and key：value in any order, by Chinese key or field name', async () => {
    await expect(bind(create, '类别=工程类 截止：9月20日 路面硬化')).resolves.toEqual({
      title: '路面硬化',
      category: '工程',
      deadline: new Date('2020-09-20T00:00:00+08:00'),
    });
    await expect(bind(create, '路面硬化 category=服务 截止： 明天')).resolves.toMatchObject({
      category: '服务',
      deadline: new Date('2020-09-17T00:00:00+08:00'),
    });
  });

  it('keeps a keyed rest-of-line text whole across Chinese punctuation, but not across a space', async () => {
    await expect(bind(progress, '#12 50% 备注=主路已硬化，明天验收；下周完工')).resolves.toMatchObject({ note: '主路已硬化，明天验收；下周完工' });
    await expect(bind(progress, '备注=主路已硬化 #12 50%')).resolves.toEqual({ project: '#12', percent: 50, note: '主路已硬化' });
  });

  it('treats an unknown key=value as a plain word', async () => {
    await expect(bind(progress, '#12 50% 费用=300元')).resolves.toMatchObject({ note: '费用=300元' });
  });

  it('gives a list for a words field', async () => {
    await expect(bind(visit, '半天 清理杂物、政策宣讲 健康义诊')).resolves.toEqual({
      hours: 4,
      activities: ['清理杂物', '政策宣讲', '健康义诊'],
    });
  });

  it('says what is missing, with the usage', async () => {
    const err = await bind(progress, '#12').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toBe('缺少「进度」');
    expect((err as UserError).usage).toEqual(['/进度 #12 80% 主路已硬化']);
  });

  it('says what was wrong with a value', async () => {
    await expect(bind(progress, '#12 abc')).rejects.toThrow('「abc」不是进度');
    await expect(bind(create, '路面硬化 类别=绿化')).rejects.toThrow('「类别」应为 工程、管理、服务 之一，收到「绿化」');
    await expect(bind(create, '路面硬化 类别=工程 截止=下辈子')).rejects.toThrow('看不懂日期「下辈子」');
  });

  it('refuses extra words when there is no rest field', async () => {
    await expect(bind(create, '路面硬化 工程 明天 多余 的')).rejects.toThrow('多余的参数：「多余」 「的」');
  });
});
