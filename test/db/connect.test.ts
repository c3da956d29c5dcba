import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Schema } from 'mongoose';
import { connectMongoose, startStorage } from '../../src/db/connect';
import { startStandin } from '../../src/db/standin';
import { silentLogger } from '../../src/log';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'lyt-storage-'));
});
afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

it('uses MONGODB_URI when set and finds out which engine serves it', async () => {
  const server = await startStandin({});
  try {
    const storage = await startStorage({ mongodbUri: server.uri, dataDir, log: silentLogger });
    expect(storage).toMatchObject({ uri: server.uri, engine: 'standin' });
    await storage.stop();
    const conn = await connectMongoose(server.uri, 'still_up');
    await conn.db!.admin().ping();
    await conn.close();
    expect(existsSync(path.join(dataDir, 'standin'))).toBe(false);
  } finally {
    await server.stop();
  }
});

it('without MONGODB_URI starts an embedded engine whose data survives a restart in DATA_DIR', async () => {
  const Note = new Schema({ text: String });
  let storage = await startStorage({ dataDir, log: silentLogger, downloadTimeoutMs: 0 });
  expect(existsSync(path.join(dataDir, storage.engine))).toBe(true);
  let conn = await connectMongoose(storage.uri, 'app');
  await conn.model('Note', Note).create({ text: '院内路灯已修好' });
  await conn.close();
  await storage.stop();

  storage = await startStorage({ dataDir, log: silentLogger, downloadTimeoutMs: 0 });
  conn = await connectMongoose(storage.uri, 'app');
  try {
    expect((await conn.model('Note', Note).find().lean()).map((n) => n.text)).toEqual(['院内路灯已修好']);
  } finally {
    await conn.close();
    await storage.stop();
  }
});
