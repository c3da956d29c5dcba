/**
 * What every entry point repeats: open the database (the embedded one in DATA_DIR, else
 * MONGODB_URI) and close it again, and end the process with the command's status, a
 * configuration error as EX_CONFIG (78) and any other error as one line and status 1.
 */
import type { Connection } from 'mongoose';
import { ConfigError, type Config } from './config';
import { connectMongoose, mongodDownloadTimeoutMs, startStorage, type Storage } from './db/connect';
import type { Logger } from './log';

/** An open database for a process: the storage (embedded or MONGODB_URI) and a connection on it. */
export interface OpenDatabase {
  storage: Storage;
  conn: Connection;
  /** Closes the connection, then the storage; never throws. */
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** Whether a mongod may be downloaded as MONGOD_DOWNLOAD allows (default true; the backup tools: false). */
  download?: boolean;
  /** Replaces the error of a storage that cannot be had (the job CLI says: stop the bot, or share a server). */
  busyHint?: (err: Error) => string;
}

/** Starts the storage and connects, as every entry point does. */
export async function openDatabase(config: Config, log: Logger, opts: OpenDatabaseOptions = {}): Promise<OpenDatabase> {
  const downloadTimeoutMs = opts.download === false ? undefined : mongodDownloadTimeoutMs(config);
  const storage = await startStorage({ mongodbUri: config.mongodbUri, dataDir: config.dataDir, log, downloadTimeoutMs }).catch((err: unknown) => {
    throw opts.busyHint ? new Error(opts.busyHint(err as Error)) : err;
  });
  const conn = await connectMongoose(storage.uri);
  return {
    storage,
    conn,
    async close() {
      await conn.close().catch(() => {});
      await storage.stop().catch(() => {});
    },
  };
}

/**
 * Runs a command line's `main` and exits with its status; a ConfigError exits 78 with its
 * message, anything else 1 with `describe(err)` (default: the message).
 */
export function runCli(main: () => Promise<number>, describe: (err: unknown) => unknown = (err) => (err instanceof Error ? err.message : err)): void {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      if (err instanceof ConfigError) {
        console.error(err.message);
        process.exit(78);
      }
      console.error(describe(err));
      process.exit(1);
    },
  );
}
