import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { tz } from '@date-fns/tz';
import { EJSON, type Document } from 'bson';
import { format } from 'date-fns';
import type { mongo } from 'mongoose';
import * as tar from 'tar';
import { TIME_ZONE, type Config } from '../config';
import { STANDIN_MARKER } from './standin/commands/handshake';
import { fsyncDir } from './standin/journal-file';

/**
 * A backup archive: a gzip'd tar of one database in mongodump's layout —
 *   manifest.json                 what is inside, with counts and SHA-256 checksums
 *   <db>/<collection>.bson        the documents, BSON one after another, as stored
 *   <db>/<collection>.metadata.json   options and indexes (canonical Extended JSON)
 * (collection names are URI-encoded in file names). GridFS buckets (fs.files, fs.chunks)
 * are collections like any other.
 */
export const BACKUP_FORMAT = 'louyuantong-backup';
export const BACKUP_VERSION = 1;
/** Archives made by `npm run backup`. */
export const MANUAL_PREFIX = 'louyuantong-backup';
/** Archives made by the daily job; only these are pruned. */
export const AUTO_PREFIX = 'louyuantong-auto';

export interface ManifestCollection {
  name: string;
  /** Paths inside the archive. */
  file: string;
  metadata: string;
  count: number;
  bytes: number;
  sha256: string;
}

export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  version: typeof BACKUP_VERSION;
  /** ISO time, Beijing offset. */
  createdAt: string;
  database: string;
  engine: 'standin' | 'mongod';
  serverVersion: string;
  /**
   * true: every collection was read at one point in time (a snapshot session on a replica
   * set); false: one collection after another (a standalone server or the stand-in).
   */
  pointInTime: boolean;
  collections: ManifestCollection[];
}

const inBeijing = { in: tz(TIME_ZONE) };

/** Where the embedded engine's automatic backups go; undefined with MONGODB_URI (use mongodump there). */
export function embeddedBackupDir(config: Pick<Config, 'mongodbUri' | 'dataDir'>): string | undefined {
  return config.mongodbUri ? undefined : path.join(config.dataDir, 'backups');
}

/** `2020-09-28 09:30:00` in Beijing time, as the CLIs print times. */
export function beijingTimestamp(d: Date): string {
  return format(d, 'yyyy-MM-dd HH:mm:ss', inBeijing);
}

const archiveName = (prefix: string, at: Date, n: number) => `${prefix}-${format(at, 'yyyyMMdd-HHmmss', inBeijing)}${n ? `-${n}` : ''}.tar.gz`;

/** The archives of one kind in `dir`, oldest first (names sort by time). */
export function listBackups(dir: string, prefix: string): string[] {
  const pattern = new RegExp(`^${prefix}-\\d{8}-\\d{6}(-\\d+)?\\.tar\\.gz$`);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => pattern.test(f))
    .sort((a, b) => {
      const [ta, tb] = [a, b].map((f) => f.slice(prefix.length + 1, prefix.length + 16));
      return ta === tb ? a.length - b.length || a.localeCompare(b) : ta!.localeCompare(tb!);
    });
}

/** Deletes all but the newest `keep` archives of this kind; returns the names deleted. */
export function pruneBackups(dir: string, prefix: string, keep: number): string[] {
  const all = listBackups(dir, prefix);
  const old = all.slice(0, Math.max(0, all.length - keep));
  for (const name of old) fs.rmSync(path.join(dir, name), { force: true });
  return old;
}

function fsyncFile(file: string): void {
  const fd = fs.openSync(file, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes one collection's documents, as the server returns them (raw BSON), to `file`. */
async function dumpCollection(coll: mongo.Collection, file: string, session: mongo.ClientSession | undefined) {
  const out = fs.createWriteStream(file);
  const hash = createHash('sha256');
  let count = 0;
  let bytes = 0;
  try {
    const cursor = coll.find({}, { raw: true, session, batchSize: 1000 }) as unknown as AsyncIterable<Buffer>;
    for await (const raw of cursor) {
      hash.update(raw);
      count++;
      bytes += raw.length;
      if (!out.write(raw)) await once(out, 'drain');
    }
  } finally {
    out.end();
    await once(out, 'close');
  }
  return { count, bytes, sha256: hash.digest('hex') };
}

/**
 * Writes a backup archive of `db` into `dir` through the driver (`<prefix>-<Beijing time>.tar.gz`):
 * the file appears complete or not at all. On a replica set every collection is read in one
 * snapshot session (one point in time); elsewhere one after another.
 */
export async function createBackup(
  db: mongo.Db,
  opts: { dir: string; prefix?: string; /** The time in the file name (default: now; the daily job names its slot). */ nameAt?: Date },
): Promise<{ file: string; manifest: BackupManifest }> {
  const now = new Date();
  const nameAt = opts.nameAt ?? now;
  fs.mkdirSync(opts.dir, { recursive: true });
  const work = fs.mkdtempSync(path.join(opts.dir, '.backup-'));
  try {
    const admin = db.admin();
    const [hello, info] = await Promise.all([admin.command({ hello: 1 }), admin.command({ buildInfo: 1 })]);
    const pointInTime = typeof hello.setName === 'string';
    const session = pointInTime ? db.client.startSession({ snapshot: true }) : undefined;
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      version: BACKUP_VERSION,
      createdAt: format(now, "yyyy-MM-dd'T'HH:mm:ss.SSSxxx", inBeijing),
      database: db.databaseName,
      engine: info[STANDIN_MARKER] === true ? 'standin' : 'mongod',
      serverVersion: String(info.version),
      pointInTime,
      collections: [],
    };
    try {
      const dbDir = encodeURIComponent(db.databaseName);
      fs.mkdirSync(path.join(work, dbDir));
      const listed = await db.listCollections({}, { nameOnly: false }).toArray();
      const colls = listed.filter((c) => (c.type ?? 'collection') === 'collection' && !c.name.startsWith('system.')).sort((a, b) => (a.name < b.name ? -1 : 1));
      for (const c of colls) {
        const base = `${dbDir}/${encodeURIComponent(c.name)}`;
        const coll = db.collection(c.name);
        const dumped = await dumpCollection(coll, path.join(work, `${base}.bson`), session);
        const metadata: Document = { options: c.options ?? {}, indexes: await coll.listIndexes().toArray(), collectionName: c.name, type: 'collection' };
        fs.writeFileSync(path.join(work, `${base}.metadata.json`), EJSON.stringify(metadata, { relaxed: false }));
        manifest.collections.push({ name: c.name, file: `${base}.bson`, metadata: `${base}.metadata.json`, ...dumped });
      }
    } finally {
      await session?.endSession();
    }
    fs.writeFileSync(path.join(work, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');

    let n = 0;
    while (fs.existsSync(path.join(opts.dir, archiveName(opts.prefix ?? MANUAL_PREFIX, nameAt, n)))) n++;
    const file = path.join(opts.dir, archiveName(opts.prefix ?? MANUAL_PREFIX, nameAt, n));
    const partial = path.join(work, 'archive.partial');
    await tar.create({ gzip: true, file: partial, cwd: work, portable: true }, ['manifest.json', encodeURIComponent(db.databaseName)]);
    fsyncFile(partial);
    fs.renameSync(partial, file);
    fsyncDir(opts.dir);
    return { file, manifest };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
