import fs from 'node:fs';
import path from 'node:path';
import mongoose from 'mongoose';
import { STANDIN_INSTANCE } from './commands/handshake';
import { holderState, readLock } from './lock';

/** Written next to the LOCK once the server listens, so other processes can share it. */
const URI_FILE = 'URI';
/** How long the server at the recorded address may take to answer the proof. */
const PROOF_TIMEOUT_MS = 3000;

/** Publishes the URI of the stand-in that owns `dataDir`. */
export function publishUri(dataDir: string, uri: string): void {
  fs.writeFileSync(path.join(dataDir, URI_FILE), uri);
}

export function withdrawUri(dataDir: string): void {
  fs.rmSync(path.join(dataDir, URI_FILE), { force: true });
}

/** Whether the server at `uri` reports `instance` in its buildInfo: then it is the owner of the directory whose LOCK holds it. */
async function proves(uri: string, instance: string): Promise<boolean> {
  const client = new mongoose.mongo.MongoClient(uri, {
    directConnection: true,
    serverSelectionTimeoutMS: PROOF_TIMEOUT_MS,
    connectTimeoutMS: PROOF_TIMEOUT_MS,
    socketTimeoutMS: PROOF_TIMEOUT_MS,
  });
  try {
    await client.connect();
    const info = await client.db('admin').command({ buildInfo: 1 });
    return info[STANDIN_INSTANCE] === instance;
  } catch {
    return false;
  } finally {
    await client.close().catch(() => {});
  }
}

/**
 * The URI of the live stand-in that owns `dataDir`, if any: a second process (`npm run
 * import`, `npm run job` while `npm start` runs) talks to it instead of opening the same
 * journal twice. A LOCK is honoured only when the server at the recorded address proves it
 * serves this directory (its buildInfo carries the id LOCK holds): a stale LOCK whose pid
 * now belongs to another process never leads anyone to whatever listens on the old port.
 */
export async function runningStandinUri(dataDir: string): Promise<{ uri: string; pid: number } | undefined> {
  const lock = readLock(dataDir);
  if (!lock?.instance || holderState(lock) === 'none' || holderState(lock) === 'stale') return undefined;
  let uri: string;
  try {
    uri = fs.readFileSync(path.join(dataDir, URI_FILE), 'utf8').trim();
  } catch {
    return undefined;
  }
  if (!uri.startsWith('mongodb://') || !(await proves(uri, lock.instance))) return undefined;
  return { uri, pid: lock.pid };
}
