import mongoose, { Schema, type Connection } from 'mongoose';
import { openTestDb, type TestDb } from '../helpers/db';

/**
 * Storage conformance: what the app relies on MongoDB for, through mongoose only, so that it
 * runs unchanged on the stand-in and on a real mongod (MONGODB_URI=... npx jest test/db).
 */
let db: TestDb;
let conn: Connection;

beforeAll(async () => {
  db = await openTestDb();
  conn = db.conn;
});

afterAll(async () => {
  await db.close();
});

function model<T>(name: string, schema: Schema<T>) {
  return conn.model<T>(name, schema);
}

describe('unique indexes', () => {
  it('reports a duplicate as mongoose duplicate-key error 11000 with the key value', async () => {
    const User = model('UniqueUser', new Schema({ email: { type: String, unique: true }, name: String }));
    await User.init();
    await User.create({ email: 'li@example.cn', name: '李' });
    const err = await User.create({ email: 'li@example.cn', name: '另一个李' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 11000, keyValue: { email: 'li@example.cn' } });
    expect(await User.countDocuments()).toBe(1);
  });

  it('enforces a compound unique index on the combination only', async () => {
    const schema = new Schema({ courtyard: String, week: String, score: Number });
    schema.index({ courtyard: 1, week: 1 }, { unique: true });
    const Score = model('CompoundScore', schema);
    await Score.init();
    await Score.create({ courtyard: 'A', week: '2024-W10', score: 1 });
    await Score.create({ courtyard: 'A', week: '2024-W11', score: 2 });
    await Score.create({ courtyard: 'B', week: '2024-W10', score: 3 });
    await expect(Score.create({ courtyard: 'A', week: '2024-W10', score: 4 })).rejects.toMatchObject({
      code: 11000,
      keyValue: { courtyard: 'A', week: '2024-W10' },
    });
    expect(await Score.countDocuments()).toBe(3);
  });

  it('rejects a whole insertMany batch entry by entry (ordered stops at the first duplicate)', async () => {
    const Tag = model('UniqueTag', new Schema({ name: { type: String, unique: true } }));
    await Tag.init();
    await expect(Tag.insertMany([{ name: 'a' }, { name: 'b' }, { name: 'a' }, { name: 'c' }])).rejects.toMatchObject({ code: 11000 });
    expect((await Tag.find().sort({ name: 1 }).lean()).map((t) => t.name)).toEqual(['a', 'b']);
  });
});

describe('atomic updates', () => {
  it('200 concurrent upserting increments on one key end at exactly 200 in one document', async () => {
    const schema = new Schema({ k: { type: String, unique: true }, n: Number });
    const Counter = model('Counter', schema);
    await Counter.init();
    await Promise.all(
      Array.from({ length: 200 }, () => Counter.findOneAndUpdate({ k: 'weekly' }, { $inc: { n: 1 } }, { upsert: true, returnDocument: 'after' })),
    );
    const docs = await Counter.find({ k: 'weekly' }).lean();
    expect(docs).toHaveLength(1);
    expect(docs[0]!.n).toBe(200);
  });

  it('upsert applies $setOnInsert only when it inserts', async () => {
    const Visit = model('Visit', new Schema({ user: String, first: Date, count: Number }));
    const first = new Date('2024-03-01T02:00:00Z');
    await Visit.updateOne({ user: 'u1' }, { $setOnInsert: { first }, $inc: { count: 1 } }, { upsert: true });
    await Visit.updateOne({ user: 'u1' }, { $setOnInsert: { first: new Date('2025-01-01T00:00:00Z') }, $inc: { count: 1 } }, { upsert: true });
    const doc = await Visit.findOne({ user: 'u1' }).lean();
    expect(doc).toMatchObject({ user: 'u1', first, count: 2 });
  });

  it('an upsert starts from the equality fields of its filter', async () => {
    const Duty = model('Duty', new Schema({ courtyard: String, week: String, meta: { source: String }, level: Number, done: Number }));
    await Duty.updateOne(
      { courtyard: 'C1', 'meta.source': 'import', $and: [{ week: { $eq: '2024-W10' } }], level: { $gte: 2 } },
      { $inc: { done: 1 } },
      { upsert: true },
    );
    const doc = await Duty.findOne().lean();
    expect(doc).toMatchObject({ courtyard: 'C1', week: '2024-W10', meta: { source: 'import' }, done: 1 });
    expect(doc).not.toHaveProperty('level');
  });

  it('refuses $inc on a field that is not a number, changing nothing', async () => {
    const Cadre = model('IncCadre', new Schema({ name: String, score: Number }));
    await Cadre.create({ name: '王', score: 1 });
    await expect(Cadre.collection.updateOne({ name: '王' }, { $inc: { name: 1, score: 1 } })).rejects.toMatchObject({ code: 14 });
    expect(await Cadre.findOne().lean()).toMatchObject({ name: '王', score: 1 });
  });

  it('updates only the array elements arrayFilters select', async () => {
    const Plan = model('Plan', new Schema<{ name: string; items: { code: string; done: boolean }[] }>({ name: String, items: [{ code: String, done: Boolean }] }));
    await Plan.create({ name: 'p', items: [{ code: 'a', done: false }, { code: 'b', done: false }, { code: 'c', done: false }] });
    await Plan.updateOne({ name: 'p' }, { $set: { 'items.$[it].done': true } }, { arrayFilters: [{ 'it.code': { $in: ['a', 'c'] } }] });
    const doc = await Plan.findOne({ name: 'p' }).lean();
    expect(doc!.items.map((i) => [i.code, i.done])).toEqual([
      ['a', true],
      ['b', false],
      ['c', true],
    ]);
  });
});

describe('queries', () => {
  const Item = () => conn.models.Item ?? model('Item', new Schema({ i: Number, group: String }));

  beforeAll(async () => {
    await Item().insertMany(Array.from({ length: 30 }, (_, i) => ({ i, group: i % 3 === 0 ? 'x' : 'y' })));
  });

  it('sorts, skips and limits', async () => {
    const page = await Item().find({ group: 'y' }).sort({ i: -1 }).skip(2).limit(3).lean();
    expect(page.map((d) => d.i)).toEqual([26, 25, 23]);
  });

  it('lists distinct values', async () => {
    expect((await Item().distinct('group')).sort()).toEqual(['x', 'y']);
  });

  it('deletes every matching document and only those', async () => {
    const res = await Item().deleteMany({ i: { $gte: 20 } });
    expect(res.deletedCount).toBe(10);
    expect(await Item().countDocuments()).toBe(20);
    expect(await Item().countDocuments({ i: { $gte: 20 } })).toBe(0);
  });

  it('streams a 10,000-document cursor through getMore batches', async () => {
    const Row = model('Row', new Schema({ i: Number, payload: String }));
    const total = 10_000;
    await Row.insertMany(Array.from({ length: total }, (_, i) => ({ i, payload: `row-${i}` })), { lean: true });
    const watcher = mongoose.createConnection(db.uri, { dbName: db.dbName, monitorCommands: true });
    await watcher.asPromise();
    try {
      const getMores: number[] = [];
      watcher.getClient().on('commandStarted', (e) => {
        if (e.commandName === 'getMore') getMores.push(1);
      });
      let seen = 0;
      let last = -1;
      let ordered = true;
      for await (const doc of watcher.model('Row', Row.schema).find().sort({ i: 1 }).batchSize(500).lean().cursor()) {
        const i = (doc as unknown as { i: number }).i;
        if (i !== last + 1) ordered = false;
        last = i;
        seen++;
      }
      expect(seen).toBe(total);
      expect(ordered).toBe(true);
      expect(getMores.length).toBeGreaterThanOrEqual(total / 500 - 1);
    } finally {
      await watcher.close();
    }
  });
});

describe('aggregation', () => {
  it('groups by Beijing day with $dateToString in Asia/Shanghai', async () => {
    const Report = model('DayReport', new Schema({ at: Date }));
    await Report.insertMany([
      { at: new Date('2024-03-10T15:59:00Z') }, // 23:59 on 10 March in Beijing
      { at: new Date('2024-03-10T16:00:00Z') }, // 00:00 on 11 March in Beijing
      { at: new Date('2024-03-10T17:30:00Z') }, // 01:30 on 11 March in Beijing (still 10 March in UTC)
    ]);
    const rows = await Report.aggregate<{ _id: string; n: number }>([
      { $group: { _id: { $dateToString: { date: '$at', format: '%Y-%m-%d', timezone: 'Asia/Shanghai' } }, n: { $sum: 1 } } },
      { $sort: { _id: 1 } },
    ]);
    expect(rows).toEqual([
      { _id: '2024-03-10', n: 1 },
      { _id: '2024-03-11', n: 2 },
    ]);
  });

  it('ranks by Beijing week: $dateTrunc to Monday and %G-W%V across New Year', async () => {
    const Progress = model('WeekProgress', new Schema({ at: Date }));
    await Progress.insertMany([
      { at: new Date('2024-12-29T15:59:00Z') }, // Sunday 29 Dec 23:59 Beijing: 2024-W52
      { at: new Date('2024-12-29T16:00:00Z') }, // Monday 30 Dec 00:00 Beijing: 2025-W01
      { at: new Date('2025-01-05T15:00:00Z') }, // Sunday 5 Jan 23:00 Beijing: 2025-W01
    ]);
    const rows = await Progress.aggregate<{ _id: { monday: Date; week: string }; n: number }>([
      {
        $group: {
          _id: {
            monday: { $dateTrunc: { date: '$at', unit: 'week', startOfWeek: 'monday', timezone: 'Asia/Shanghai' } },
            week: { $dateToString: { date: '$at', format: '%G-W%V', timezone: 'Asia/Shanghai' } },
          },
          n: { $sum: 1 },
        },
      },
      { $sort: { '_id.monday': 1 } },
    ]);
    expect(rows).toEqual([
      { _id: { monday: new Date('2024-12-22T16:00:00Z'), week: '2024-W52' }, n: 1 },
      { _id: { monday: new Date('2024-12-29T16:00:00Z'), week: '2025-W01' }, n: 2 },
    ]);
  });

  it('joins another collection with $lookup', async () => {
    const Courtyard = model('LookupCourtyard', new Schema({ code: String, name: String }));
    const Task = model('LookupTask', new Schema({ courtyard: String, title: String }));
    await Courtyard.insertMany([
      { code: 'C1', name: '幸福里3号院' },
      { code: 'C2', name: '光明巷7号院' },
    ]);
    await Task.insertMany([
      { courtyard: 'C1', title: '修路' },
      { courtyard: 'C1', title: '装灯' },
      { courtyard: 'C2', title: '清运' },
    ]);
    const rows = await Courtyard.aggregate<{ name: string; tasks: { title: string }[] }>([
      { $lookup: { from: Task.collection.name, localField: 'code', foreignField: 'courtyard', as: 'tasks' } },
      { $sort: { code: 1 } },
      { $project: { _id: 0, name: 1, tasks: '$tasks.title' } },
    ]);
    expect(rows).toEqual([
      { name: '幸福里3号院', tasks: ['修路', '装灯'] },
      { name: '光明巷7号院', tasks: ['清运'] },
    ]);
  });
});

describe('TTL indexes', () => {
  it('removes documents once their date is older than expireAfterSeconds', async () => {
    await conn.db!.admin().command({ setParameter: 1, ttlMonitorSleepSecs: 1 });
    const schema = new Schema({ name: String, expireAt: Date });
    schema.index({ expireAt: 1 }, { expireAfterSeconds: 0 });
    const Session = model('TtlSession', schema);
    await Session.init();
    await Session.create([
      { name: 'expired', expireAt: new Date(Date.now() - 60_000) },
      { name: 'current', expireAt: new Date(Date.now() + 3_600_000) },
    ]);
    for (let i = 0; i < 150 && (await Session.countDocuments({ name: 'expired' })) > 0; i++) {
      await new Promise((r) => setTimeout(r, 200));
    }
    expect((await Session.find().lean()).map((s) => s.name)).toEqual(['current']);
  });
});
