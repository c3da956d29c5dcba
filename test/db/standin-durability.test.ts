import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection } from 'mongoose';
import { connectMongoose } from '../../src/db/connect';
import { startStandin, type RunningStandin } from '../../src/db/standin';
import { walkRecords } from '../../src/db/standin/record-file';
import { faultyIo, type Fault } from './faulty-io';

interface Doc {
  _id: number;
  label: string;
  payload: string;
}

const doc = (i: number): Doc => ({ _id: i, label: `r-${i}`, payload: 'x'.repeat(100 + (i % 40)) });

let dir: string;
let standin: RunningStandin | undefined;
let conn: Connection | undefined;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'lyt-durable-'));
});
afterEach(async () => {
  await conn?.close().catch(() => {});
  await standin?.stop();
  conn = standin = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function open(io?: ReturnType<typeof faultyIo>, compactBytes?: number) {
  standin = await startStandin({ dataDir: dir, io, compactBytes });
  conn = await connectMongoose(standin.uri, 'durable');
  return conn;
}

async function reopen(compactBytes?: number) {
  await conn?.close();
  await standin?.stop();
  return open(undefined, compactBytes);
}

function journalIsClean(): void {
  for (const name of readdirSync(dir).filter((f) => f.startsWith('journal-'))) {
    expect(walkRecords(path.join(dir, name), { record: () => {} }).damage).toBeUndefined();
  }
}

describe.each<Fault>(['enospc', 'short', 'eio-sync'])('an injected journal fault (%s) in the middle of a burst of writes', (fault) => {
  it('loses no acknowledged write and exposes no refused one, before and after a restart', async () => {
    const io = faultyIo();
    const c = await open(io);
    const recs = c.db!.collection<Doc>('recs');
    const counter = c.db!.collection<{ _id: string; n: number }>('counter');
    const acked = new Set<number>();
    const refused = new Set<number>();
    let increments = 0;
    let refusedIncrements = 0;
    const errors: Array<{ code?: number; message: string }> = [];
    const seen: number[][] = [];
    let next = 0;
    let done = false;

    // Six writers and two readers in parallel, so that several writes share one fsync (group commit).
    const writer = async () => {
      while (!done) {
        const i = next++;
        try {
          if (i % 7 === 6) {
            await counter.updateOne({ _id: 'c' }, { $inc: { n: 1 } }, { upsert: true });
            increments++;
          } else {
            await recs.insertOne(doc(i));
            acked.add(i);
          }
        } catch (err) {
          errors.push(err as { code?: number; message: string });
          if (i % 7 === 6) refusedIncrements++;
          else refused.add(i);
        }
        if (acked.size === 150 && io.injected === 0) io.failNext(3, fault, /^journal-/);
        if (acked.size >= 400) done = true;
      }
    };
    const reader = async () => {
      while (!done) {
        try {
          seen.push((await recs.find({}, { projection: { _id: 1 } }).toArray()).map((d) => d._id));
        } catch {
          // a read that may have seen a refused write is refused too
        }
      }
    };
    await Promise.all([writer(), writer(), writer(), writer(), writer(), writer(), reader(), reader()]);

    expect(io.injected).toBe(3);
    expect(refused.size).toBeGreaterThan(0);
    expect(errors.every((e) => e.code === 1 && /journal write failed/.test(e.message))).toBe(true);
    // No read ever showed a write that was then refused.
    for (const ids of seen) expect(ids.filter((id) => refused.has(id))).toEqual([]);
    expect(seen.length).toBeGreaterThan(10);

    const expectExactly = async (db: Connection) => {
      const ids = (await db.db!.collection<Doc>('recs').find().toArray()).map((d) => d._id);
      expect(ids.filter((id) => !acked.has(id))).toEqual([]);
      expect([...acked].filter((id) => !ids.includes(id))).toEqual([]);
      for (const d of await db.db!.collection<Doc>('recs').find().toArray()) expect(d).toEqual(doc(d._id));
      expect((await db.db!.collection('counter').findOne({ _id: 'c' as never }))?.n ?? 0).toBe(increments);
    };
    await expectExactly(c);
    // The journal was cut back to its last good record before the writes after the fault.
    journalIsClean();
    expect(refused.size + refusedIncrements).toBeGreaterThan(0);

    await expectExactly(await reopen());
  });
});

it('answers a refused write with a MongoDB error, applies nothing of it, and the next write works', async () => {
  const io = faultyIo();
  const c = await open(io);
  const recs = c.db!.collection<Doc>('recs');
  await recs.createIndex({ label: 1 }, { unique: true });
  await recs.insertMany([doc(1), doc(2), doc(3)]);
  const before = statSync(path.join(dir, readdirSync(dir).find((f) => f.startsWith('journal-'))!)).size;

  io.failNext(1, 'short', /^journal-/);
  // One command, several changes: a delete, an update and an insert — none of them may stay.
  await expect(
    recs.bulkWrite([{ deleteOne: { filter: { _id: 1 } } }, { updateOne: { filter: { _id: 2 }, update: { $set: { label: 'changed' } } } }, { insertOne: { document: doc(4) } }]),
  ).rejects.toMatchObject({ code: 1, message: expect.stringMatching(/journal write failed: ENOSPC/) });
  expect(await recs.find().sort({ _id: 1 }).toArray()).toEqual([doc(1), doc(2), doc(3)]);
  // The unique index was rolled back too: the refused insert's label is free, the update's old one still taken.
  await expect(recs.insertOne({ ...doc(5), label: 'r-2' })).rejects.toMatchObject({ code: 11000 });
  await recs.insertOne({ ...doc(4) });
  expect(await recs.countDocuments()).toBe(4);

  const journal = readdirSync(dir).find((f) => f.startsWith('journal-'))!;
  expect(statSync(path.join(dir, journal)).size).toBeGreaterThan(before);
  journalIsClean();
  const after = (await reopen()).db!.collection<Doc>('recs');
  expect(await after.find().sort({ _id: 1 }).toArray()).toEqual([doc(1), doc(2), doc(3), doc(4)]);
});

it('undoes refused changes of every kind exactly: the state in memory is the state a restart reads', async () => {
  const io = faultyIo();
  const c = await open(io, 6000);
  const db = c.db!;
  // A fixed pseudo-random sequence of commands of every kind, some of them refused.
  let state = 12345;
  const rand = (n: number) => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state % n;
  };
  const names = ['a', 'b', 'c'];
  for (let step = 0; step < 400; step++) {
    const coll = db.collection<{ _id: number; k: number; v?: string }>(names[rand(3)]!);
    if (rand(10) === 0) io.failNext(1, rand(2) ? 'enospc' : 'short', /^(journal-|snapshot)/);
    const op = rand(12);
    await (async () => {
      if (op < 4) await coll.insertOne({ _id: rand(200), k: rand(50), v: 'v'.repeat(rand(300)) });
      else if (op < 6) await coll.updateMany({ k: { $lt: rand(50) } }, { $set: { v: `u${step}` }, $inc: { k: 1 } });
      else if (op < 7) await coll.deleteMany({ k: rand(50) });
      else if (op < 8) await coll.findOneAndReplace({ _id: rand(200) }, { k: rand(50) }, { upsert: true });
      else if (op < 9) await coll.createIndex({ k: 1 }, { unique: rand(2) === 0 });
      else if (op < 10) await coll.dropIndex('k_1');
      else if (op < 11) await coll.drop();
      else await db.collection('d').insertMany([{ x: step }, { x: step + 1 }]);
    })().catch(() => {}); // refused, duplicate, missing index…: each leaves the state as it was
  }
  expect(io.injected).toBeGreaterThan(20);

  const dump = async (d: typeof db) => {
    const out: Record<string, unknown> = {};
    for (const { name } of (await d.listCollections().toArray()).sort((x, y) => x.name.localeCompare(y.name))) {
      out[name] = {
        docs: await d.collection(name).find().sort({ _id: 1 }).toArray(),
        indexes: (await d.collection(name).indexes()).map((i) => [i.name, i.unique ?? false]).sort(),
      };
    }
    return out;
  };
  const inMemory = await dump(db);
  expect(await dump((await reopen(6000)).db!)).toEqual(inMemory);
});

it('loads journals and snapshots written before the format had a version, and goes on with the new one', async () => {
  // test/fixtures/standin-v1: a snapshot (documents 1–35, a unique index) and a journal
  // (36–50, an update, a delete), as the stand-in wrote them before format 2.
  const { cpSync } = await import('node:fs');
  cpSync(path.join(__dirname, '../fixtures/standin-v1'), dir, { recursive: true });
  const expected = Array.from({ length: 50 }, (_, k) => k + 1)
    .filter((i) => i !== 3)
    .map((i) => ({ _id: i, name: `楼院${i}`, n: i === 2 ? 200 : i }));
  standin = await startStandin({ dataDir: dir, compactBytes: 2500 });
  conn = await connectMongoose(standin.uri, 'v1');
  const yards = () => conn!.db!.collection('courtyards');
  expect(await yards().find().sort({ _id: 1 }).toArray()).toEqual(expected);
  await expect(yards().insertOne({ _id: 99, name: '楼院7', n: 0 } as never)).rejects.toMatchObject({ code: 11000 });
  for (let i = 51; i <= 80; i++) await yards().insertOne({ _id: i, name: `楼院${i}`, n: i } as never);
  await conn.close();
  await standin.stop();

  standin = await startStandin({ dataDir: dir, compactBytes: 2500 });
  conn = await connectMongoose(standin.uri, 'v1');
  expect(await yards().countDocuments()).toBe(79);
  expect(await yards().findOne({ _id: 2 as never })).toEqual({ _id: 2, name: '楼院2', n: 200 });
});
