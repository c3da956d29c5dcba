import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deserialize, EJSON, type Document } from 'bson';
import type { mongo } from 'mongoose';
import * as tar from 'tar';
import { BACKUP_FORMAT, BACKUP_VERSION, type BackupManifest } from './backup';

/** A restore refused before anything was written, with the reason in Chinese for the operator. */
export class RestoreRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RestoreRefused';
  }
}

export interface RestoreResult {
  manifest: BackupManifest;
  database: string;
  collections: Array<{ name: string; count: number; indexes: number }>;
}

/** Documents per insert, and bytes: well under the 48 MB a batch may carry. */
const BATCH_DOCS = 1000;
const BATCH_BYTES = 8 * 1024 * 1024;

const CHUNK = 8 * 1024 * 1024;

/** The BSON documents of a .bson file, one after another, read a chunk at a time. */
async function* readDocuments(file: string): AsyncGenerator<Buffer> {
  const fh = await fs.promises.open(file, 'r');
  try {
    let pending = Buffer.alloc(0);
    let offset = 0; // file offset of pending[0]
    for (;;) {
      // A fresh buffer each time: documents handed out earlier stay valid.
      const { bytesRead, buffer } = await fh.read(Buffer.allocUnsafe(CHUNK), 0, CHUNK, null);
      if (bytesRead === 0) break;
      pending = pending.length ? Buffer.concat([pending, buffer.subarray(0, bytesRead)]) : buffer.subarray(0, bytesRead);
      let at = 0;
      while (at + 4 <= pending.length) {
        const length = pending.readInt32LE(at);
        if (length < 5) throw new Error(`第 ${offset + at} 字节处的记录长度不对`);
        if (at + length > pending.length) break;
        yield pending.subarray(at, at + length);
        at += length;
      }
      pending = pending.subarray(at);
      offset += at;
    }
    if (pending.length) throw new Error(`第 ${offset} 字节处的记录不完整`);
  } finally {
    await fh.close();
  }
}

function readManifest(work: string): BackupManifest {
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(work, 'manifest.json'), 'utf8')) as BackupManifest;
  } catch {
    throw new RestoreRefused('这不是楼院通的备份文件：里面没有可读的 manifest.json。');
  }
  if (manifest.format !== BACKUP_FORMAT) throw new RestoreRefused(`这不是楼院通的备份文件（manifest.json 的 format 是 ${JSON.stringify(manifest.format)}）。`);
  if (manifest.version !== BACKUP_VERSION) throw new RestoreRefused(`备份格式第 ${manifest.version} 版，本程序只认第 ${BACKUP_VERSION} 版：请用与备份时相同或更新的版本恢复。`);
  return manifest;
}

/** Checks every file of the archive against the manifest (checksum and count) before anything is written. */
async function verify(work: string, manifest: BackupManifest): Promise<void> {
  const problems: string[] = [];
  for (const c of manifest.collections) {
    const file = path.join(work, c.file);
    if (!fs.existsSync(file) || !fs.existsSync(path.join(work, c.metadata))) {
      problems.push(`${c.name}：备份里缺少它的文件`);
      continue;
    }
    const hash = createHash('sha256');
    let count = 0;
    try {
      for await (const raw of readDocuments(file)) {
        hash.update(raw);
        count++;
      }
    } catch (err) {
      problems.push(`${c.name}：${(err as Error).message}`);
      continue;
    }
    if (hash.digest('hex') !== c.sha256) problems.push(`${c.name}：文件校验和不符（SHA-256），文件已损坏或被改动`);
    else if (count !== c.count) problems.push(`${c.name}：应有 ${c.count} 条记录，文件里是 ${count} 条`);
  }
  if (problems.length) throw new RestoreRefused(`备份文件没有通过检查，什么也没有写入：\n${problems.map((p) => `  - ${p}`).join('\n')}`);
}

/** Refuses a database that holds any document: a restore never mixes with data already there. */
async function assertEmpty(db: mongo.Db): Promise<void> {
  const held: string[] = [];
  for (const c of await db.listCollections({}, { nameOnly: true }).toArray()) {
    if (c.name.startsWith('system.')) continue;
    const n = await db.collection(c.name).countDocuments({}, { limit: 1 });
    if (n > 0) held.push(c.name);
  }
  if (held.length) {
    throw new RestoreRefused(
      `目标数据库 ${db.databaseName} 不是空的（${held.slice(0, 5).join('、')}${held.length > 5 ? ` 等 ${held.length} 个集合` : ''}里有数据），没有恢复。` +
        `恢复只写入空数据库：请先停止程序（npm start），内置数据库把 $DATA_DIR/standin（或 mongod）目录改名保存，外部 MongoDB 换一个空库，再恢复。`,
    );
  }
}

/**
 * `npm run restore -- FILE`: checks the archive (manifest, checksums, counts), refuses a
 * database that is not empty, then writes every collection (options, documents as stored),
 * checks each count, and builds the indexes last.
 */
export async function restoreBackup(db: mongo.Db, archive: string): Promise<RestoreResult> {
  if (!fs.existsSync(archive)) throw new RestoreRefused(`找不到备份文件 ${archive}。`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'lyt-restore-'));
  try {
    try {
      await tar.extract({ file: archive, cwd: work, strict: true });
    } catch (err) {
      throw new RestoreRefused(`备份文件 ${archive} 无法解开（${(err as Error).message}），可能不完整或已损坏。`);
    }
    const manifest = readManifest(work);
    await verify(work, manifest);
    await assertEmpty(db);

    const result: RestoreResult = { manifest, database: db.databaseName, collections: [] };
    const existing = new Set((await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
    for (const c of manifest.collections) {
      const metadata = EJSON.parse(fs.readFileSync(path.join(work, c.metadata), 'utf8'), { relaxed: false }) as Document;
      // An empty collection the app made at its start gets the archive's options and indexes instead.
      if (existing.has(c.name)) await db.collection(c.name).drop();
      await db.command({ create: c.name, ...(metadata.options as Document) });
      const coll = db.collection(c.name);
      let batch: Document[] = [];
      let bytes = 0;
      const flush = async () => {
        if (batch.length) await coll.insertMany(batch, { ordered: true, bypassDocumentValidation: true });
        batch = [];
        bytes = 0;
      };
      for await (const raw of readDocuments(path.join(work, c.file))) {
        // Types as stored: no int/long/double promotion, so each document is written back byte for byte.
        batch.push(deserialize(raw, { promoteValues: false, promoteBuffers: false, promoteLongs: false, bsonRegExp: true }));
        bytes += raw.length;
        if (batch.length >= BATCH_DOCS || bytes >= BATCH_BYTES) await flush();
      }
      await flush();
      const count = await coll.countDocuments();
      if (count !== c.count) throw new Error(`${c.name}：恢复后有 ${count} 条记录，备份里是 ${c.count} 条`);
      const indexes = (metadata.indexes as Document[]).filter((i) => i.name !== '_id_').map(({ v: _v, ns: _ns, background: _b, ...spec }) => spec);
      if (indexes.length) await db.command({ createIndexes: c.name, indexes });
      result.collections.push({ name: c.name, count, indexes: indexes.length });
    }
    return result;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
