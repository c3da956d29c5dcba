import mongoose, { type Connection } from 'mongoose';
import type { Logger } from '../log';

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
}

/**
 * The storage resolver. MONGODB_URI set: that server. Unset: an embedded engine, a real
 * mongod through mongodb-memory-server when a binary can be had, else the bundled stand-in.
 * (Implemented by the storage issue.)
 */
export async function startStorage(opts: StorageOptions): Promise<Storage> {
  if (!opts.mongodbUri) throw new Error('embedded storage is not implemented yet: set MONGODB_URI');
  return { uri: opts.mongodbUri, engine: 'mongod', stop: async () => {} };
}

/** Opens a mongoose connection of its own (not the global one), so several can coexist. */
export async function connectMongoose(uri: string, dbName?: string): Promise<Connection> {
  const conn = mongoose.createConnection(uri, { dbName, serverSelectionTimeoutMS: 5000, autoIndex: true });
  await conn.asPromise();
  return conn;
}
