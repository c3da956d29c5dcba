import { serialize, type Document } from 'bson';
import { CommandError, fail } from '../errors';
import type { JournalOp } from '../journal-format';
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

/**
 * Runs one command: the handler runs synchronously (atomic); the changes it made are then
 * made durable through `commit` before the reply is returned.
 */
export async function runCommand(body: Document, ctx: CommandContext, commit: (ops: JournalOp[]) => Promise<void>): Promise<Uint8Array> {
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
  const ops = ctx.catalog.takeOps();
  if (ops.length > 0) {
    try {
      await commit(ops);
    } catch (err) {
      ctx.server.log.error({ err }, 'stand-in: journal write failed; the change is not durable');
      reply = { ok: 0, errmsg: `journal write failed: ${(err as Error).message}`, code: 1, codeName: 'InternalError' };
    }
  }
  return Buffer.isBuffer(reply) ? reply : serialize(reply);
}
