import { z } from 'zod';
import { allCommands } from '../../commands';
import { arg } from '../../src/bot/args';
import { defineCommand } from '../../src/bot/define-command';
import { createRegistry, RegistryError } from '../../src/bot/registry';

const command = (name: string, aliases: string[] = [], usage = [`/${name}`]) =>
  defineCommand({ name, aliases, summary: name, allow: 'anyone', usage, run: async () => null });

const problemsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (err) {
    if (err instanceof RegistryError) return err.problems;
    throw err;
  }
  throw new Error('expected a RegistryError');
};

describe('createRegistry', () => {
  it('accepts the shipped commands', () => {
    expect(() => createRegistry(allCommands)).not.toThrow();
  });

  it('lists every duplicate name or alias at once, ignoring ASCII case', () => {
    const problems = problemsOf(() =>
      createRegistry([command('进度', ['progress']), command('项目', ['Progress']), command('进度', [], ['/进度'])]),
    );
    expect(problems).toHaveLength(2);
    expect(problems.join('\n')).toMatch(/"Progress" is used by both 进度 and 项目/);
    expect(problems.join('\n')).toMatch(/"进度" is used by both 进度 and 进度/);
    expect(() => createRegistry([command('a'), command('a')])).toThrow(RegistryError);
  });

  it('refuses usage examples of another command, keys of unknown fields and a rest field that is not last', () => {
    const problems = problemsOf(() =>
      createRegistry([
        command('进度', [], ['/项目 #12']),
        defineCommand({
          name: '下沉',
          summary: '',
          allow: 'anyone',
          usage: ['/下沉 半天'],
          args: z.object({ what: arg.words(), hours: arg.duration() }),
          keys: { 时长: 'hourz' as 'hours' },
          run: async () => null,
        }),
      ]),
    );
    expect(problems).toEqual([
      expect.stringContaining('usage "/项目 #12" does not start with /进度'),
      expect.stringContaining('key "时长" names unknown field "hourz"'),
      expect.stringContaining('"what" takes the rest of the line, so it must be the last field'),
    ]);
  });

  it('checks subcommands too', () => {
    const sub = (name: string) => command(name, [], [`/绑定 ${name}`]);
    expect(() => createRegistry([defineCommand({ name: '绑定', summary: '', subcommands: [sub('楼院'), sub('楼院')] })])).toThrow(
      /subcommand name "楼院" is used by both/,
    );
  });

  it('finds by name or alias, case-insensitively', () => {
    const registry = createRegistry([command('帮助', ['help'])]);
    expect(registry.find('HELP')?.name).toBe('帮助');
    expect(registry.find('帮助')?.name).toBe('帮助');
    expect(registry.find('帮')).toBeUndefined();
  });

  it('splits a name run together with its first argument', () => {
    const registry = createRegistry([command('绑定', ['bind'])]);
    expect(registry.splitName('绑定楼院')).toMatchObject({ command: { name: '绑定' }, rest: '楼院' });
    expect(registry.splitName('绑')).toBeUndefined();
  });

  it('suggests the closest commands for an unknown name', () => {
    const registry = createRegistry([command('进度', ['progress']), command('帮助', ['help']), command('绑定', ['bind'])]);
    expect(registry.suggest('进读').map((c) => c.name)).toEqual(['进度']);
    expect(registry.suggest('hlep').map((c) => c.name)).toEqual(['帮助']);
    expect(registry.suggest('progres').map((c) => c.name)).toEqual(['进度']);
    expect(registry.suggest('绑')[0]?.name).toBe('绑定');
    expect(registry.suggest('天气预报')).toEqual([]);
  });
});
