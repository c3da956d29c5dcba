import { serialize, type Document } from 'bson';
import { CommandError, fail } from '../errors';
import type { Changes } from '../catalog';
import { aggregateCommands } from './aggregate';
import { collectionCommands } from './collections';
import type { CommandContext, CommandHandler } from './context';
import { explainCommands } from './explain';
import { findCommands } from './find';
import { findAndModifyCommands } from './find-and-modify';
import { handshakeCommands } from './handshake';
import { indexCommands } from './indexes';
import { writeCommands } from './write';

// Not mongod's IllegalOperation (20): for writes the driver replaces that message with a
// misleading one about retryable writes.
const NO_TRANSACTIONS =
  'Transactions are not supported: the stand-in is a standalone server (transactions need a MongoDB replica set), ' +
  'and the app must not need them';

const transactionCommands: Record<string, CommandHandler> = {
  commitTransaction: () => {
    throw fail('OperationNotSupportedInTransaction', NO_TRANSACTIONS);
  },
  abortTransaction: () => {
    throw fail('OperationNotSupportedInTransaction', NO_TRANSACTIONS);
  },
};

/** Every command the stand-in answers; anything else is CommandNotFound. */
export const commands: Record<string, CommandHandler> = {
  ...handshakeCommands,
  ...collectionCommands,
  ...findCommands,
  ...writeCommands,
  ...findAndModifyCommands,
  ...aggregateCommands,
  ...indexCommands,
  ...explainCommands,
  ...transactionCommands,
};

function errorReply(err: unknown, ctx: CommandContext, name: string): Document {
  if (err instanceof CommandError) return err.toReply();
  const e = err as Error;
  if (e?.name === 'MingoError' || e?.name === 'BSONError') return { ok: 0, errmsg: e.message, code: 2, codeName: 'BadValue' };
  ctx.server.log.error({ err, command: name }, 'stand-in: command failed unexpectedly');
  return { ok: 0, errmsg: `internal error in ${name}: ${e?.message ?? String(err)}`, code: 1, codeName: 'InternalError' };
}

/** How a command's changes become durable (see persistence.ts); in memory only, both are no-ops. */
export interface Durability {
  /** Resolves once the changes are durable; rejects, with them undone, when the journal refused them. */
  commit(changes: Changes): Promise<void>;
  /** undefined when every change in memory is durable; else settles when they are (rejects if refused). */
  settled(): Promise<void> | undefined;
}

/**
 * Runs one command: the handler runs synchronously (atomic). Its reply waits until what it
 * wrote — or, for a command that wrote nothing, whatever it may have read — is durable, so no
 * reply ever shows a change the journal then refuses.
 */
export async function runCommand(body: Document, ctx: CommandContext, durability: Durability): Promise<Uint8Array> {
  const name = Object.keys(body)[0] ?? '';
  let reply: Document | Buffer;
  try {
    if (body.startTransaction === true || body.autocommit === false || body.txnNumber !== undefined) {
      throw fail('OperationNotSupportedInTransaction', NO_TRANSACTIONS);
    }
    const handler = Object.hasOwn(commands, name) ? commands[name] : undefined;
    if (!handler) throw fail('CommandNotFound', `no such command: '${name}'`);
    reply = handler(body, ctx);
  } catch (err) {
    reply = errorReply(err, ctx, name);
  }
  const changes = ctx.catalog.takeChanges();
  const wrote = changes.ops.length > 0;
  const durable = wrote ? durability.commit(changes) : durability.settled();
  if (durable) {
    try {
      await durable;
    } catch (err) {
      const why = (err as Error).message;
      reply = wrote
        ? { ok: 0, errmsg: `${why}; nothing of this command was applied`, code: 1, codeName: 'InternalError' }
        : { ok: 0, errmsg: `${why}: a write this command may have seen was refused; retry`, code: 1, codeName: 'InternalError' };
    }
  }
  return Buffer.isBuffer(reply) ? reply : serialize(reply);
}
