/**
 * The dispatcher writes a command's audit entries together, after the command ran (issue
 * 15): every change stays undoable — also one made before the command failed — and the
 * loser of a race still names the winner (from the record's `changedBy`).
 */
import { allCommands } from '../../commands';
import { defineCommand } from '../../src/bot/define-command';
import { UserError } from '../../src/errors';
import { beijingDate } from '../../src/services/beijing-time';
import { nextSequence } from '../../src/services/sequence';
import { createTestBot, type BasicFixture, type TestBot } from '../helpers/bot';
import type { ChangedBy } from '../../src/db/models/changed-by';

/** A record's `changedBy` (a path the models' types do not name). */
const changedByOf = (doc: unknown) => (doc as { changedBy?: ChangedBy } | null)?.changedBy;

/** Creates a project, then fails. */
const halfway = defineCommand({
  name: '半途',
  summary: 'one change, then a UserError',
  allow: ['admin'],
  usage: ['/半途'],
  run: async (ctx) => {
    await ctx.audit.create(ctx.models.Project, async () => ({
      no: await nextSequence(ctx.models, 'project'),
      courtyard: f.courtyards.dongfang._id,
      street: f.streets.jiyuan._id,
      category: '工程' as const,
      title: '半途项目',
    }));
    throw new UserError('第二步不行');
  },
});

/** Creates a project and changes it again: one record, two changes in one message. */
const twice = defineCommand({
  name: '两次',
  summary: 'creates a project, then updates it',
  allow: ['admin'],
  usage: ['/两次'],
  run: async (ctx) => {
    const p = await ctx.audit.create(ctx.models.Project, async () => ({
      no: await nextSequence(ctx.models, 'project'),
      courtyard: f.courtyards.dongfang._id,
      street: f.streets.jiyuan._id,
      category: '工程' as const,
      title: '两次项目',
    }));
    await ctx.audit.update(ctx.models.Project, { _id: p._id }, { $set: { percent: 30 } });
    return `#${p.no}`;
  },
});

let bot: TestBot;
let f: BasicFixture;
const minutes = (n: number) => n * 60_000;

beforeAll(async () => {
  bot = await createTestBot({ commands: [...allCommands, halfway, twice] });
  f = await bot.seed.basic();
});
afterAll(() => bot.close());

const project = (title: string) => bot.models.Project.findOne({ title }).lean();

describe('batched audit entries', () => {
  it('keeps both changes of one command undoable, and stamps who made them', async () => {
    await bot.models.Project.create({
      no: 501, category: '工程', createdAt: bot.now(), street: f.streets.jiyuan._id, courtyard: f.courtyards.dongfang._id,
      title: '楼道粉刷', owner: f.cadres.zhangsan._id, deadline: beijingDate(2020, 9, 30),
    });
    const reply = await bot.send(f.users.zhangsan, f.groups.dongfang, '/进度 #501 40% 刷完一层');
    expect(reply).toContain('进度已更新');
    const p = await project('楼道粉刷');
    expect(p).toMatchObject({ percent: 40, changedBy: { actor: 'zhangsan', actorName: '张三', at: bot.now() } });
    expect(await bot.models.ProgressReport.findOne({ project: p!._id }).lean()).toMatchObject({ changedBy: { actor: 'zhangsan' } });

    bot.advance(minutes(1));
    const undo = await bot.send(f.users.zhangsan, f.groups.dongfang, '/撤销');
    expect(undo).toContain('的「/进度 #501 40% 刷完一层」');
    expect(undo).toContain('· 删除了新建的进度报告（40%）');
    expect(undo).toContain('· 项目 #501「楼道粉刷」 恢复为修改前的内容');
    expect(await project('楼道粉刷')).toMatchObject({ percent: 0 });
    expect(changedByOf(await project('楼道粉刷'))).toBeUndefined();
    expect(await bot.models.ProgressReport.countDocuments({ project: p!._id })).toBe(0);
  });

  it('keeps the change a command made before it failed undoable', async () => {
    const reply = await bot.send(f.users.admin, '', '/半途');
    expect(reply).toContain('❌ 第二步不行');
    expect(await project('半途项目')).not.toBeNull();
    bot.advance(minutes(1));
    const undo = await bot.send(f.users.admin, '', '/撤销');
    expect(undo).toContain('的「/半途」');
    expect(undo).toContain('· 删除了新建的项目');
    expect(await project('半途项目')).toBeNull();
  });

  it('logs a record created and changed by one command once, as created, with its last state', async () => {
    expect(await bot.send(f.users.admin, '', '/两次')).toMatch(/^#\d+$/);
    const p = await project('两次项目');
    const entries = await bot.models.AuditEntry.find({ docId: p!._id }).lean();
    expect(entries).toEqual([expect.objectContaining({ op: 'create', actor: 'admin', after: expect.objectContaining({ percent: 30 }) })]);
    bot.advance(minutes(1));
    expect(await bot.send(f.users.admin, '', '/撤销')).toContain('· 删除了新建的项目');
    expect(await project('两次项目')).toBeNull();
  });

  it('a message WeCom sends twice leaves one entry, with the first before', async () => {
    await bot.models.Project.create({
      no: 502, category: '工程', createdAt: bot.now(), street: f.streets.jiyuan._id, courtyard: f.courtyards.dongfang._id,
      title: '雨棚', owner: f.cadres.zhangsan._id, deadline: beijingDate(2020, 9, 30),
    });
    const fields = { text: '/进度 #502 20% 拆旧', msgId: 'retried-502' };
    const first = await bot.sendWith(f.users.zhangsan, f.groups.dongfang, fields);
    expect(first).toContain('进度已更新');
    await bot.sendWith(f.users.zhangsan, f.groups.dongfang, fields);
    const p = await project('雨棚');
    expect(p).toMatchObject({ percent: 20 });
    const entries = await bot.models.AuditEntry.find({ docId: p!._id }).lean();
    expect(entries).toEqual([expect.objectContaining({ op: 'update', before: expect.objectContaining({ percent: 0 }) })]);
  });
});

describe('the loser of a race names the winner', () => {
  it('/登记 解除 sent by two admins at once', async () => {
    for (let round = 0; round < 10; round++) {
      const entry = await bot.seed.cadre({ name: `解除${round}`, unit: '区教育局', userId: `unlink-${round}`, userIdSource: 'register', courtyards: [f.courtyards.dongfang] });
      const line = `/登记 解除 ${entry.name}`;
      const replies = await Promise.all([bot.send(f.users.jyAdmin, '', line), bot.send(f.users.admin, '', line)]);
      const won = replies.map((r) => r.startsWith('🔓 已解除'));
      expect(won.filter(Boolean)).toHaveLength(1);
      const winner = won[0] ? '赵街道' : '王管理';
      const loser = replies[won[0] ? 1 : 0]!;
      // Either it read the entry after the winner's write, or its guarded write lost.
      expect(loser).toMatch(new RegExp(`还没有关联企业微信账号|的关联刚刚已由 ${winner} 改动，请重试`));
      expect(await bot.models.Cadre.findById(entry._id).lean()).toMatchObject({ changedBy: { actorName: winner } });
    }
  });
});
