import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import mongoose from 'mongoose';
import { ROOT } from './standin-process';

/** Runs `npm run db` (src/db/serve.ts) and returns the URI it prints. */
async function serve(dataDir: string) {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn', MONGOMS_RUNTIME_DOWNLOAD: 'false' };
  delete env.MONGODB_URI;
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/db/serve.ts')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const uri = await new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('mongodb://')) resolve(line.trim());
    });
    child.once('exit', (code) => reject(new Error(`npm run db exited with ${code}`)));
  });
  return { uri, child, exited };
}

let dataDir: string;
beforeAll(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'lyt-serve-'));
});
afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

it('npm run db prints a URI that mongoose.connect can use, and keeps the data in DATA_DIR', async () => {
  const first = await serve(dataDir);
  expect(first.uri).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+/);
  await mongoose.connect(first.uri, { dbName: 'served', serverSelectionTimeoutMS: 5000 });
  const Courtyard = mongoose.model('ServedCourtyard', new mongoose.Schema({ name: String }));
  await Courtyard.create({ name: '幸福里3号院' });
  await mongoose.disconnect();
  first.child.kill('SIGTERM');
  expect(await first.exited).toBe(0);

  const second = await serve(dataDir);
  await mongoose.connect(second.uri, { dbName: 'served', serverSelectionTimeoutMS: 5000 });
  try {
    expect((await Courtyard.find().lean()).map((c) => c.name)).toEqual(['幸福里3号院']);
  } finally {
    await mongoose.disconnect();
    second.child.kill('SIGTERM');
    await second.exited;
  }
});
