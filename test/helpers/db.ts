import { randomBytes } from 'node:crypto';
import type { Connection } from 'mongoose';
import { connectMongoose, type Engine } from '../../src/db/connect';

/** Environment variables through which test/global-setup.ts hands the server to the workers. */
export const TEST_URI_ENV = 'TEST_MONGODB_URI';
export const TEST_ENGINE_ENV = 'TEST_MONGODB_ENGINE';

export interface TestDb {
  /** The server URI with this database as its default (for app processes a test starts). */
  uri: string;
  dbName: string;
  conn: Connection;
  /** Drops the database and closes the connection. */
  close(): Promise<void>;
}

/** The URI of the server jest's global setup chose (a real MONGODB_URI or an embedded engine). */
export function testDbUri(): string {
  const uri = process.env[TEST_URI_ENV];
  if (!uri) throw new Error(`${TEST_URI_ENV} is not set: run the tests through jest (test/global-setup.ts starts the database)`);
  return uri;
}

/** Which engine the tests run on. */
export function testDbEngine(): Engine {
  return process.env[TEST_ENGINE_ENV] === 'standin' ? 'standin' : 'mongod';
}

/** `mongodb://host:port/?opts` → `mongodb://host:port/<db>?opts`. */
export function uriWithDatabase(uri: string, dbName: string): string {
  const [base = '', query] = uri.split('?', 2);
  const hosts = /^(mongodb(?:\+srv)?:\/\/[^/]+)/.exec(base)?.[1] ?? base;
  return `${hosts}/${dbName}${query ? `?${query}` : ''}`;
}

let opened = 0;

/** A fresh, uniquely named database on the test server, with its own mongoose connection. */
export async function openTestDb(): Promise<TestDb> {
  const server = testDbUri();
  const dbName = `t_${process.pid}_${opened++}_${randomBytes(3).toString('hex')}`;
  const conn = await connectMongoose(server, dbName);
  return {
    uri: uriWithDatabase(server, dbName),
    dbName,
    conn,
    close: async () => {
      await conn.dropDatabase().catch(() => {});
      await conn.close();
    },
  };
}

/**
 * A test database for the whole file and a second connection to it (a second process's view):
 * opened before the file's tests, closed after. Read them inside tests (`dbs.db`, `dbs.second`).
 */
export function useTwoConnections(): { readonly db: TestDb; readonly second: Connection } {
  const dbs = {} as { db: TestDb; second: Connection };
  beforeAll(async () => {
    dbs.db = await openTestDb();
    dbs.second = await connectMongoose(dbs.db.uri, dbs.db.dbName);
  });
  afterAll(async () => {
    await dbs.second.close();
    await dbs.db.close();
  });
  return dbs;
}
