import type { Document } from 'bson';
import type { Logger } from '../../../log';
import type { Catalog } from '../catalog';
import { fail } from '../errors';
import type { CursorRegistry } from '../cursors';

/** Server-wide settings and facts commands report or change. */
export interface ServerState {
  startedAt: Date;
  /** How often the TTL monitor runs (mongod's `ttlMonitorSleepSecs`, default 60). */
  ttlMonitorSleepSecs: number;
  connections: { current: number; totalCreated: number };
  /** Whether the data survives a restart (a data directory was given). */
  persistent: boolean;
  /** With a data directory: the id in its LOCK, which buildInfo reports to prove this server serves it. */
  instance?: string;
  log: Logger;
  onTtlSleepChanged(): void;
}

/** What a command handler gets besides its command document. */
export interface CommandContext {
  /** The database the command runs in (`$db`). */
  db: string;
  catalog: Catalog;
  cursors: CursorRegistry;
  server: ServerState;
  connectionId: number;
  /** Raw bytes of OP_MSG document sequences, e.g. `documents` of an insert. */
  sequences: Map<string, Buffer[]>;
}

/**
 * A command handler. It runs synchronously from start to end, so every command is atomic:
 * no other command can run in between. It returns the reply document, or the reply already
 * serialised (cursor replies built around stored BSON).
 */
export type CommandHandler = (cmd: Document, ctx: CommandContext) => Document | Buffer;

/** The collection name a command names in its first field, checked to be a string. */
export function collectionName(cmd: Document, field: string): string {
  const name = cmd[field];
  if (typeof name !== 'string' || name === '') {
    throw fail('InvalidNamespace', `collection name has invalid type ${typeof name}`);
  }
  return name;
}
