import net from 'node:net';
import path from 'node:path';
import mongoose, { type Connection } from 'mongoose';
import type { Logger } from '../log';
import { startStandin } from './standin';
import { STANDIN_MARKER } from './standin/commands/handshake';

export type Engine = 'mongod' | 'standin';

export interface Storage {
  /** A mongodb:// URI any MongoDB client can use. */
  uri: string;
  engine: Engine;
  /** Stops an embedded engine (no-op for an external MONGODB_URI). */
  stop(): Promise<void>;
}

export interface StorageOptions {
  mongodbUri?: string;
  dataDir: string;
  log: Logger;
  /** Preferred port for an embedded engine (any free one when taken); 0 or absent: any. */
  port?: number;
  /**
   * How long a mongod download may take before the stand-in is used instead (default 0:
   * never download, only use a binary that is already there; MONGOD_DOWNLOAD=on asks for one,
   * see {@link mongodDownloadTimeoutMs}).
   */
  downloadTimeoutMs?: number;
  /** false: a stand-in keeps its data in memory only (tests). Default true. */
  persistStandin?: boolean;
}

/** How long a download asked for with MONGOD_DOWNLOAD=on may take (a mongod archive is about 100 MB). */
const ASKED_DOWNLOAD_TIMEOUT_MS = 5 * 60_000;

/** The download time the configuration allows: none unless MONGOD_DOWNLOAD=on. */
export function mongodDownloadTimeoutMs(config: { mongodDownload: boolean }): number {
  return config.mongodDownload ? ASKED_DOWNLOAD_TIMEOUT_MS : 0;
}

/**
 * The storage resolver. MONGODB_URI set: that server (its engine found out from buildInfo).
 * Unset: an embedded engine — a real mongod through mongodb-memory-server when a binary can
 * be had (MONGOMS_SYSTEM_BINARY, its cache, or a download when asked for), data in DATA_DIR/mongod;
 * else the bundled stand-in, data in DATA_DIR/standin.
 */
export async function startStorage(opts: StorageOptions): Promise<Storage> {
  const { log } = opts;
  if (opts.mongodbUri) {
    const engine = await detectEngine(opts.mongodbUri, log);
    log.info({ engine }, `storage: MONGODB_URI is set; using that server (${engine})`);
    return { uri: opts.mongodbUri, engine, stop: async () => {} };
  }

  const found = await findMongod(opts.downloadTimeoutMs ?? 0, log);
  const port = opts.port && (await portIsFree(opts.port)) ? opts.port : 0;
  if (found.binary) {
    try {
      const { MongoMemoryServer } = await import('mongodb-memory-server');
      const dbPath = path.join(opts.dataDir, 'mongod');
      await import('node:fs').then((fs) => fs.mkdirSync(dbPath, { recursive: true }));
      const server = await MongoMemoryServer.create({
        instance: { dbPath, storageEngine: 'wiredTiger', ip: '127.0.0.1', port: port || undefined },
      });
      log.info({ engine: 'mongod', binary: found.binary, dbPath }, `storage: embedded mongod (${found.why}); data in ${dbPath}`);
      return { uri: server.getUri(), engine: 'mongod', stop: async () => void (await server.stop({ doCleanup: false })) };
    } catch (err) {
      log.warn({ err }, 'storage: the mongod binary did not start; falling back to the stand-in');
      found.why = `mongod did not start: ${(err as Error).message}`;
    }
  }

  const persist = opts.persistStandin !== false;
  const dataDir = persist ? path.join(opts.dataDir, 'standin') : undefined;
  const standin = await startStandin({ dataDir, port, log });
  log.info(
    { engine: 'standin', dataDir: dataDir ?? '(memory only)', why: found.why },
    `storage: bundled stand-in (${found.why}); ${dataDir ? `data in ${dataDir}` : 'data in memory only'} — for development and tests, not for production`,
  );
  return { uri: standin.uri, engine: 'standin', stop: standin.stop };
}

/**
 * Finds a mongod binary for mongodb-memory-server: MONGOMS_SYSTEM_BINARY or its cache, else
 * a download given `timeoutMs` to finish (an unfinished download goes on in the background
 * and lands in the cache for the next start).
 */
async function findMongod(timeoutMs: number, log: Logger): Promise<{ binary?: string; why: string }> {
  let mms: typeof import('mongodb-memory-server');
  try {
    mms = await import('mongodb-memory-server');
  } catch (err) {
    return { why: `mongodb-memory-server is not installed (${(err as Error).message})` };
  }
  let options;
  try {
    options = await mms.DryMongoBinary.generateOptions();
    const binary = await mms.DryMongoBinary.locateBinary(options);
    if (binary) return { binary, why: options.systemBinary ? 'MONGOMS_SYSTEM_BINARY' : 'binary found in the mongodb-memory-server cache' };
  } catch (err) {
    return { why: `no usable mongod binary: ${(err as Error).message}` };
  }
  if (timeoutMs <= 0 || /^(0|false|no|off)$/i.test(process.env.MONGOMS_RUNTIME_DOWNLOAD ?? '')) {
    return { why: 'no mongod binary on this machine (MONGOD_DOWNLOAD=on downloads one)' };
  }
  log.info({ version: options.version, timeoutMs }, 'storage: trying to download a mongod binary');
  const download = mms.MongoBinary.download({ ...options, checkMD5: false });
  download.catch(() => {}); // a download that loses the race may still fail later
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs);
    timer.unref();
  });
  try {
    const binary = await Promise.race([download, timeout]);
    if (binary) return { binary, why: `mongod ${options.version} downloaded` };
    return { why: `the mongod download did not finish within ${timeoutMs} ms` };
  } catch (err) {
    return { why: `the mongod download failed: ${(err as Error).message}` };
  } finally {
    clearTimeout(timer);
  }
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** Asks a server which engine it is: the stand-in marks its buildInfo. */
async function detectEngine(uri: string, log: Logger): Promise<Engine> {
  let conn: Connection | undefined;
  try {
    conn = await connectMongoose(uri);
    const info = await conn.db!.admin().command({ buildInfo: 1 });
    return info[STANDIN_MARKER] === true ? 'standin' : 'mongod';
  } catch (err) {
    log.warn({ err }, 'storage: could not ask the MongoDB server for its buildInfo; assuming mongod');
    return 'mongod';
  } finally {
    await conn?.close().catch(() => {});
  }
}

/** Opens a mongoose connection of its own (not the global one), so several can coexist. */
export async function connectMongoose(uri: string, dbName?: string): Promise<Connection> {
  const conn = mongoose.createConnection(uri, { dbName, serverSelectionTimeoutMS: 5000, autoIndex: true });
  await conn.asPromise();
  return conn;
}
