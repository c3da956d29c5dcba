import fs from 'node:fs';
import path from 'node:path';

/** Written next to the LOCK once the server listens, so other processes can share it. */
const URI_FILE = 'URI';

/** Publishes the URI of the stand-in that owns `dataDir`. */
export function publishUri(dataDir: string, uri: string): void {
  fs.writeFileSync(path.join(dataDir, URI_FILE), uri);
}

export function withdrawUri(dataDir: string): void {
  fs.rmSync(path.join(dataDir, URI_FILE), { force: true });
}

/**
 * The URI of a live stand-in process that already owns `dataDir`, if any: a second process
 * (`npm run import`, `npm run job` while `npm start` runs) talks to it instead of opening the
 * same journal twice.
 */
export function runningStandinUri(dataDir: string): { uri: string; pid: number } | undefined {
  let pid: number;
  let uri: string;
  try {
    pid = Number(fs.readFileSync(path.join(dataDir, 'LOCK'), 'utf8'));
    uri = fs.readFileSync(path.join(dataDir, URI_FILE), 'utf8').trim();
  } catch {
    return undefined;
  }
  if (!pid || pid === process.pid || !uri) return undefined;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return undefined;
  }
  return { uri, pid };
}
