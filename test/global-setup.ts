import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startStorage, type Storage } from '../src/db/connect';
import { silentLogger } from '../src/log';
import { TEST_ENGINE_ENV, TEST_URI_ENV } from './helpers/db';

declare global {
  // Shared with test/global-teardown.ts (same process).
  var __testStorage: Storage | undefined;
  var __testDataDir: string | undefined;
}

/**
 * Starts the database the tests use: MONGODB_URI when set (e.g. a real mongod), else the
 * embedded engine — a mongod already on this machine (no download), otherwise a memory-only
 * stand-in. Workers find it through TEST_MONGODB_URI.
 */
export default async function globalSetup(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'lyt-test-db-'));
  globalThis.__testDataDir = dataDir;
  const storage = await startStorage({
    mongodbUri: process.env.MONGODB_URI || undefined,
    dataDir,
    log: silentLogger,
    downloadTimeoutMs: 0,
    persistStandin: false,
  });
  globalThis.__testStorage = storage;
  process.env[TEST_URI_ENV] = storage.uri;
  process.env[TEST_ENGINE_ENV] = storage.engine;
  const where = process.env.MONGODB_URI ? 'MONGODB_URI' : 'embedded';
  process.stdout.write(`\n[test db] ${storage.engine} (${where}) at ${storage.uri}\n`);
}
