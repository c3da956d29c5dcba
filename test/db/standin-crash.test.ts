import { mkdtempSync, readdirSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Schema, type Connection } from 'mongoose';
import { connectMongoose } from '../../src/db/connect';
import { startStandin } from '../../src/db/standin';
import { spawnStandin } from './standin-process';

/** A document whose every field is derived from its number, so a partial one is detectable. */
function record(i: number) {
  return { _id: i, label: `r-${i}`, square: i * i, payload: 'x'.repeat(200 + (i % 50)), tags: [i % 2 ? 'odd' : 'even', `d${i % 10}`] };
}

const schema = new Schema({ _id: Number, label: String, square: Number, payload: String, tags: [String] }, { versionKey: false });

function expectComplete(doc: Record<string, unknown>) {
  expect(doc).toEqual(record(doc._id as number));
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'lyt-standin-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function open(uri: string): Promise<Connection> {
  return connectMongoose(uri, 'crash');
}

it('keeps every acknowledged write and nothing half-written across a SIGKILL', async () => {
  const first = await spawnStandin(dir);
  const conn = await open(first.uri);
  const Rec = conn.model('Rec', schema);
  const Counter = conn.model('Counter', new Schema({ _id: String, n: Number }, { versionKey: false }));
  const acked = new Set<number>();
  let counterAcked = 0;
  let next = 0;
  let killed = false;
  // Four writers in parallel, so that several writes wait on one fsync (group commit).
  const writer = async () => {
    while (!killed) {
      const i = next++;
      try {
        if (i % 5 === 4) {
          const r = await Counter.findOneAndUpdate({ _id: 'c' }, { $inc: { n: 1 } }, { upsert: true, returnDocument: 'after' });
          counterAcked = Math.max(counterAcked, r!.n!);
        } else {
          await Rec.create(record(i));
          acked.add(i);
        }
      } catch {
        return; // the server is gone
      }
      if (acked.size >= 250 && !killed) {
        killed = true;
        first.child.kill('SIGKILL');
      }
    }
  };
  await Promise.all([writer(), writer(), writer(), writer()]);
  await first.exited;
  await conn.close(true);

  const second = await spawnStandin(dir);
  const conn2 = await open(second.uri);
  try {
    const docs = await conn2.model('Rec', schema).find().lean();
    const found = new Set(docs.map((d) => d._id as number));
    for (const i of acked) expect(found.has(i)).toBe(true);
    for (const d of docs) expectComplete(d as Record<string, unknown>);
    const counter = await conn2.model('Counter', new Schema({ _id: String, n: Number })).findById('c').lean();
    expect(counter!.n).toBeGreaterThanOrEqual(counterAcked);
    expect(acked.size).toBeGreaterThanOrEqual(250);
  } finally {
    await conn2.close();
    second.child.kill('SIGTERM');
    await second.exited;
  }
});

it('drops a torn last journal record at start and goes on appending after it', async () => {
  let s = await startStandin({ dataDir: dir });
  let conn = await open(s.uri);
  let Rec = conn.model('Rec', schema);
  for (let i = 1; i <= 10; i++) await Rec.create(record(i));
  await conn.close();
  await s.stop();

  const journal = readdirSync(dir).find((f) => f.startsWith('journal-'))!;
  const file = path.join(dir, journal);
  truncateSync(file, statSync(file).size - 3); // the last record (document 10) is now torn

  s = await startStandin({ dataDir: dir });
  conn = await open(s.uri);
  Rec = conn.model('Rec', schema);
  expect((await Rec.find().sort({ _id: 1 }).lean()).map((d) => d._id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  await Rec.create(record(11));
  await conn.close();
  await s.stop();

  s = await startStandin({ dataDir: dir });
  conn = await open(s.uri);
  try {
    expect((await conn.model('Rec', schema).find().sort({ _id: 1 }).lean()).map((d) => d._id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 11]);
  } finally {
    await conn.close();
    await s.stop();
  }
});

it('keeps everything through compaction: documents, updates, deletes and unique indexes', async () => {
  let s = await startStandin({ dataDir: dir, compactBytes: 16 * 1024 });
  let conn = await open(s.uri);
  const userSchema = new Schema({ email: { type: String, unique: true }, visits: Number }, { versionKey: false });
  const User = () => conn.model('User', userSchema, undefined, { overwriteModels: true });
  await User().init();
  for (let i = 0; i < 200; i++) await User().create({ email: `u${i}@example.cn`, visits: 0 });
  await User().updateMany({ email: { $in: ['u1@example.cn', 'u2@example.cn'] } }, { $inc: { visits: 5 } });
  await User().deleteMany({ email: { $regex: /^u1\d\d@/ } });
  await conn.close();
  await s.stop();
  expect(readdirSync(dir)).toContain('snapshot.bin');

  s = await startStandin({ dataDir: dir, compactBytes: 16 * 1024 });
  conn = await open(s.uri);
  try {
    expect(await User().countDocuments()).toBe(100);
    expect(await User().findOne({ email: 'u2@example.cn' }).lean()).toMatchObject({ visits: 5 });
    expect(await User().findOne({ email: 'u150@example.cn' }).lean()).toBeNull();
    await expect(User().create({ email: 'u3@example.cn', visits: 1 })).rejects.toMatchObject({ code: 11000 });
  } finally {
    await conn.close();
    await s.stop();
  }
});
