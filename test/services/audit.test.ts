import { createModels, syncIndexes, type Models, type StreetDoc } from '../../src/db/models';
import { createAudit, lastWriter, undoLast } from '../../src/services/audit';
import { nextSequence } from '../../src/services/sequence';
import { openTestDb, type TestDb } from '../helpers/db';
import type { ChangedBy } from '../../src/db/models/changed-by';

/** A record's `changedBy` (a path the models' types do not name). */
const changedByOf = (doc: unknown) => (doc as { changedBy?: ChangedBy } | null)?.changedBy;

let db: TestDb;
let models: Models;
let street: StreetDoc;
const T0 = new Date('2020-09-16T02:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

const audit = (msgId: string, now: Date, actor = 'zhangsan') =>
  createAudit({ models, actor, actorName: actor, command: `/cmd ${msgId}`, msgId, now });

beforeAll(async () => {
  db = await openTestDb();
  models = createModels(db.conn);
  await syncIndexes(models);
  street = await models.Street.create({ name: '济源路街道' });
});
afterAll(() => db.close());

describe('audit', () => {
  it('fills msgId, createdAt and createdBy, and logs the creation', async () => {
    const project = await audit('m1', at(0)).create(models.Project, {
      no: 101,
      courtyard: street._id,
      street: street._id,
      category: '工程',
      title: '路面硬化',
    });
    expect(project).toMatchObject({ msgId: 'm1', createdAt: at(0), createdBy: 'zhangsan' });
    expect(await models.AuditEntry.findOne({ msgId: 'm1' }).lean()).toMatchObject({
      op: 'create',
      modelName: 'Project',
      docId: project._id,
      after: { title: '路面硬化' },
      actor: 'zhangsan',
      command: '/cmd m1',
    });
  });

  it('returns the record of a message that already created one, without taking a number', async () => {
    const factory = async () => ({ no: await nextSequence(models, 'project'), courtyard: street._id, street: street._id, category: '服务' as const, title: '义诊' });
    const first = await audit('m2', at(0)).create(models.Project, factory);
    const again = await audit('m2', at(0)).create(models.Project, factory);
    expect(again._id).toEqual(first._id);
    expect(await models.Project.countDocuments({ msgId: 'm2' })).toBe(1);
    expect(await nextSequence(models, 'project')).toBe(first.no + 1);
    expect(await models.AuditEntry.countDocuments({ msgId: 'm2' })).toBe(1);
  });

  it('records before and after of an update, and returns the updated record', async () => {
    const updated = await audit('m3', at(1)).update(models.Project, { no: 101 }, { $set: { percent: 80 } });
    expect(updated?.percent).toBe(80);
    const entry = await models.AuditEntry.findOne({ msgId: 'm3' }).lean();
    expect(entry).toMatchObject({ op: 'update', before: { percent: 0 }, after: { percent: 80 } });
    expect(await audit('m3x', at(1)).update(models.Project, { no: 999 }, { $set: { percent: 1 } })).toBeNull();
  });
});

describe('batched audit', () => {
  const batched = (msgId: string, now: Date, actor = 'batcher') =>
    createAudit({ models, actor, actorName: `${actor}名`, command: `/cmd ${msgId}`, msgId, now, batched: true });

  it('stamps changedBy on the record at once, and writes the entries only at flush', async () => {
    const a = batched('b1', at(70));
    const p = await a.create(models.Project, { no: 301, courtyard: street._id, street: street._id, category: '工程', title: '补漏' });
    expect(changedByOf(p)).toMatchObject({ actor: 'batcher', actorName: 'batcher名', at: at(70) });
    await a.update(models.Street, { _id: street._id }, { $set: { district: '二七区' } });
    expect(changedByOf(await models.Street.findById(street._id).lean())).toMatchObject({ actor: 'batcher', at: at(70) });
    expect(await lastWriter(models, 'Street', street._id)).toBe('batcher名');
    expect(await models.AuditEntry.countDocuments({ msgId: 'b1' })).toBe(0);
    expect(a.logged.map((e) => e.modelName)).toEqual(['Project', 'Street']);

    await a.flush();
    expect(await models.AuditEntry.find({ msgId: 'b1' }).sort({ seq: 1 }).lean()).toEqual([
      expect.objectContaining({ modelName: 'Project', op: 'create', seq: 0, actor: 'batcher', after: expect.objectContaining({ title: '补漏' }) }),
      expect.objectContaining({ modelName: 'Street', op: 'update', seq: 1, before: expect.objectContaining({ district: '' }), after: expect.objectContaining({ district: '二七区' }) }),
    ]);
    await a.flush(); // nothing queued: nothing written
    expect(await models.AuditEntry.countDocuments({ msgId: 'b1' })).toBe(2);

    await undoLast(models, 'batcher', at(71));
    expect(await models.Project.findOne({ no: 301 })).toBeNull();
    const restored = await models.Street.findById(street._id).lean();
    expect(restored?.district).toBe('');
    expect(changedByOf(restored)).toBeUndefined();
  });

  it('a retry of the message keeps the first before', async () => {
    const first = batched('b2', at(80));
    const p = await first.create(models.Project, { no: 302, courtyard: street._id, street: street._id, category: '工程', title: '刷墙' });
    await first.flush();
    const a = batched('b3', at(81));
    await a.update(models.Project, { _id: p._id }, { $set: { percent: 10 } });
    await a.flush();
    const retry = batched('b3', at(81));
    await retry.update(models.Project, { _id: p._id }, { $set: { percent: 20 } });
    await retry.flush();
    expect(await models.AuditEntry.find({ msgId: 'b3' }).lean()).toEqual([
      expect.objectContaining({ op: 'update', before: expect.objectContaining({ percent: 0 }), after: expect.objectContaining({ percent: 20 }) }),
    ]);
  });

  it('names the winner from the record, or from the audit log for a record without changedBy', async () => {
    const p = await models.Project.create({ no: 303, courtyard: street._id, street: street._id, category: '工程', title: '修门', createdAt: at(90) });
    expect(await lastWriter(models, 'Project', p._id)).toBeUndefined();
    await models.AuditEntry.create({ actor: 'old', actorName: '老王', msgId: 'b4', seq: 0, modelName: 'Project', docId: p._id, op: 'create', at: at(90) });
    expect(await lastWriter(models, 'Project', p._id)).toBe('老王');
    await batched('b5', at(91), 'lisi').update(models.Project, { _id: p._id }, { $set: { percent: 5 } });
    expect(await lastWriter(models, 'Project', p._id)).toBe('lisi名');
  });
});

describe('undoLast', () => {
  it('undoes the caller’s last command as a whole: updates restored, creations deleted, newest first', async () => {
    const a = audit('u1', at(10));
    const p = await a.create(models.Project, { no: 201, courtyard: street._id, street: street._id, category: '工程', title: '修路' });
    await a.update(models.Project, { _id: p._id }, { $set: { percent: 50 } });
    await a.update(models.Street, { _id: street._id }, { $set: { district: '上街区' } });

    const result = await undoLast(models, 'zhangsan', at(12));
    expect(result.command).toBe('/cmd u1');
    expect(result.entries.map((e) => e.modelName)).toEqual(['Street', 'Project']);
    expect(await models.Project.findOne({ no: 201 })).toBeNull();
    expect((await models.Street.findById(street._id).lean())?.district).toBe('');
    expect(await models.AuditEntry.countDocuments({ msgId: 'u1', undoneAt: at(12), undoneBy: 'zhangsan' })).toBe(2);
  });

  it('goes one command further back each time, and puts deleted records back', async () => {
    const p = await audit('u2', at(20)).create(models.Project, { no: 202, courtyard: street._id, street: street._id, category: '管理', title: '引进物业' });
    await audit('u3', at(21)).remove(models.Project, { _id: p._id });
    expect(await models.Project.findById(p._id)).toBeNull();
    await undoLast(models, 'zhangsan', at(22));
    expect(await models.Project.findById(p._id).lean()).toMatchObject({ title: '引进物业', msgId: 'u2' });
    await undoLast(models, 'zhangsan', at(23));
    expect(await models.Project.findById(p._id)).toBeNull();
  });

  it('refuses after 10 minutes, naming the command', async () => {
    await audit('u4', at(30)).create(models.Project, { no: 204, courtyard: street._id, street: street._id, category: '服务', title: '演出' });
    await expect(undoLast(models, 'zhangsan', at(41))).rejects.toThrow('只能撤销 10 分钟内的记录；你最近的一条是 9月16日 10:30 的「/cmd u4」');
    expect(await models.Project.countDocuments({ no: 204 })).toBe(1);
  });

  it('refuses when someone else changed the record since', async () => {
    const p = await audit('u5', at(50)).create(models.Project, { no: 205, courtyard: street._id, street: street._id, category: '工程', title: '换灯' });
    await audit('u6', at(51), 'lisi').update(models.Project, { _id: p._id }, { $set: { percent: 30 } });
    await expect(undoLast(models, 'zhangsan', at(52))).rejects.toThrow('又被「/cmd u6」（lisi）修改，无法撤销');
    expect(await models.Project.countDocuments({ no: 205 })).toBe(1);
  });

  it('says when there is nothing to undo', async () => {
    await expect(undoLast(models, 'nobody', at(60))).rejects.toThrow('你没有可以撤销的记录');
  });
});
