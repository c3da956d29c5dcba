import net from 'node:net';
import { Schema, type Connection } from 'mongoose';
import { connectMongoose } from '../../src/db/connect';
import { startStandin, type RunningStandin } from '../../src/db/standin';

let standin: RunningStandin;
let conn: Connection;
/** Connections of the well-behaved client that the server closed. */
let closedOnGoodClient = 0;

beforeAll(async () => {
  standin = await startStandin({});
  conn = await connectMongoose(standin.uri, 'wire');
  conn.getClient().on('connectionClosed', () => closedOnGoodClient++);
});

afterAll(async () => {
  await conn.close();
  await standin.stop();
});

/** Sends raw bytes on a fresh socket; resolves once the server has closed that socket. */
function sendRaw(bytes: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(standin.port, '127.0.0.1', () => socket.write(bytes));
    socket.on('error', () => {});
    socket.on('close', () => resolve());
    socket.setTimeout(5000, () => {
      socket.destroy();
      reject(new Error('the server kept the connection open'));
    });
  });
}

function header(length: number, opCode: number): Buffer {
  const h = Buffer.alloc(16);
  h.writeInt32LE(length, 0);
  h.writeInt32LE(1, 4);
  h.writeInt32LE(0, 8);
  h.writeInt32LE(opCode, 12);
  return h;
}

async function stillServes(): Promise<void> {
  expect(closedOnGoodClient).toBe(0);
  const Note = conn.models.Note ?? conn.model('Note', new Schema({ text: String }));
  await Note.create({ text: '还在' });
  expect(await Note.countDocuments({ text: '还在' })).toBeGreaterThan(0);
}

describe('a bad client only loses its own connection', () => {
  it('garbage bytes', async () => {
    await sendRaw(Buffer.concat([header(40, 2013), Buffer.from('this is not BSON at all, no!!')]));
    await stillServes();
  });

  it('an unknown opcode', async () => {
    await sendRaw(Buffer.concat([header(20, 9999), Buffer.alloc(4)]));
    await stillServes();
  });

  it('a message larger than maxMessageSizeBytes', async () => {
    await sendRaw(header(64 * 1024 * 1024, 2013));
    await stillServes();
  });
});

it('answers an unknown command with CommandNotFound', async () => {
  await expect(conn.db!.command({ frobnicate: 1 })).rejects.toMatchObject({ code: 59, codeName: 'CommandNotFound' });
});

it('refuses a transaction with a clear error and writes nothing', async () => {
  const Account = conn.model('Account', new Schema({ owner: String }));
  await Account.createCollection();
  await expect(
    conn.transaction(async (session) => {
      await Account.create([{ owner: '张三' }], { session });
    }),
  ).rejects.toThrow(/Transactions are not supported: the stand-in is a standalone server/);
  expect(await Account.countDocuments()).toBe(0);
});
