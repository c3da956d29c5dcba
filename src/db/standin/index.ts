import { randomBytes } from 'node:crypto';
import type { Logger } from '../../log';
import { silentLogger } from '../../log';
import { Catalog } from './catalog';
import type { FileIo } from './journal-file';
import { openPersistence } from './persistence';
import { StandinServer } from './server';
import { publishUri, runningStandinUri, withdrawUri } from './shared';

export interface StandinOptions {
  /** Where the journal and snapshots live; without it the data is in memory only. */
  dataDir?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  log?: Logger;
  /** Journal size that triggers a snapshot (compaction); for tests. */
  compactBytes?: number;
  /** The file-writing layer of the journal and snapshots; tests inject failures. */
  io?: FileIo;
}

export interface RunningStandin {
  uri: string;
  port: number;
  stop(): Promise<void>;
  /** true: another process owns the data directory; this handle only borrows its server. */
  shared?: boolean;
}

/**
 * Starts the MongoDB-wire-compatible stand-in in this process: for development and tests
 * where no mongod binary is available. Not for production.
 */
export async function startStandin(opts: StandinOptions = {}): Promise<RunningStandin> {
  const log = opts.log ?? silentLogger;
  const host = opts.host ?? '127.0.0.1';
  const running = opts.dataDir ? await runningStandinUri(opts.dataDir) : undefined;
  if (running) {
    log.info({ pid: running.pid, uri: running.uri }, `stand-in: ${opts.dataDir} is served by process ${running.pid}; using it`);
    return { uri: running.uri, port: Number(new URL(running.uri).port), shared: true, stop: async () => {} };
  }
  const catalog = new Catalog();
  const instance = randomBytes(12).toString('hex');
  const persistence = opts.dataDir ? await openPersistence(opts.dataDir, catalog, log, { compactBytes: opts.compactBytes, io: opts.io, instance }) : undefined;
  const server = new StandinServer({
    catalog,
    log,
    persistent: persistence !== undefined,
    instance: persistence ? instance : undefined,
    durability: persistence ?? { commit: async () => {}, settled: () => undefined },
  });
  let port: number;
  try {
    port = await server.listen(opts.port ?? 0, host);
  } catch (err) {
    await persistence?.close();
    throw err;
  }
  const uriHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const uri = `mongodb://${uriHost}:${port}`;
  if (opts.dataDir) publishUri(opts.dataDir, uri);
  let stopping: Promise<void> | undefined;
  return {
    uri,
    port,
    stop: () =>
      (stopping ??= (async () => {
        if (opts.dataDir) withdrawUri(opts.dataDir);
        await server.close();
        await persistence?.close();
      })()),
  };
}
