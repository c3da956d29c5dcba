import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Schema } from 'mongoose';
import { connectMongoose, startStorage } from '../../src/db/connect';
import { silentLogger } from '../../src/log';
import { spawnStandin } from './standin-process';

const Note = new Schema({ _id: String, text: String }, { versionKey: false });

it('a second process on a data directory the running bot owns uses that server instead of failing', async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'lyt-shared-'));
  const owner = await spawnStandin(path.join(dataDir, 'standin'));
  try {
    // what `npm run import` / `npm run job` do while `npm start` holds DATA_DIR
    const storage = await startStorage({ dataDir, log: silentLogger, downloadTimeoutMs: 0 });
    expect(storage).toMatchObject({ engine: 'standin', uri: owner.uri });
    const conn = await connectMongoose(storage.uri, 'shared');
    await conn.model('Note', Note).create({ _id: 'a', text: '来自导入' });
    await conn.close();
    await storage.stop(); // must leave the owner running

    const again = await connectMongoose(owner.uri, 'shared');
    expect(await again.model('Note', Note).findById('a').lean()).toEqual({ _id: 'a', text: '来自导入' });
    await again.close();
  } finally {
    owner.child.kill('SIGKILL');
    await owner.exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
});
