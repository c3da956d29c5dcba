import { Long, type Document } from 'bson';
import os from 'node:os';
import { MAX_BSON_SIZE, MAX_MESSAGE_SIZE } from '../wire';
import type { CommandContext, CommandHandler } from './context';

/** The MongoDB release the stand-in answers like (wire version 21 = MongoDB 7.0). */
export const STANDIN_VERSION = '7.0.0';
export const MAX_WIRE_VERSION = 21;
/** Present in buildInfo only on the stand-in: how clients tell it from a real mongod. */
export const STANDIN_MARKER = 'louyuantongStandin';
/** In buildInfo with a data directory: the id its LOCK holds (see lock.ts, shared.ts). */
export const STANDIN_INSTANCE = 'louyuantongStandinInstance';

function hello(legacyName: boolean) {
  return (_cmd: Document, ctx: CommandContext): Document => ({
    ...(legacyName ? { ismaster: true } : { isWritablePrimary: true }),
    helloOk: true,
    maxBsonObjectSize: MAX_BSON_SIZE,
    maxMessageSizeBytes: MAX_MESSAGE_SIZE,
    maxWriteBatchSize: 100_000,
    localTime: new Date(),
    logicalSessionTimeoutMinutes: 30,
    connectionId: ctx.connectionId,
    minWireVersion: 0,
    maxWireVersion: MAX_WIRE_VERSION,
    readOnly: false,
    ok: 1,
  });
}

function buildInfo(_cmd: Document, ctx: CommandContext): Document {
  return {
    version: STANDIN_VERSION,
    gitVersion: 'standin',
    versionArray: [7, 0, 0, 0],
    bits: 64,
    debug: false,
    maxBsonObjectSize: MAX_BSON_SIZE,
    storageEngines: ['standin'],
    modules: [],
    [STANDIN_MARKER]: true,
    ...(ctx.server.instance ? { [STANDIN_INSTANCE]: ctx.server.instance } : {}),
    ok: 1,
  };
}

export const handshakeCommands: Record<string, CommandHandler> = {
  hello: hello(false),
  isMaster: hello(true),
  ismaster: hello(true),
  ping: () => ({ ok: 1 }),
  buildInfo,
  buildinfo: buildInfo,
  endSessions: () => ({ ok: 1 }),
  killAllSessions: () => ({ ok: 1 }),
  killSessions: () => ({ ok: 1 }),
  refreshSessions: () => ({ ok: 1 }),
  serverStatus: (_cmd, ctx) => ({
    host: os.hostname(),
    version: STANDIN_VERSION,
    process: 'standin',
    pid: Long.fromNumber(process.pid),
    uptime: (Date.now() - ctx.server.startedAt.getTime()) / 1000,
    localTime: new Date(),
    connections: { current: ctx.server.connections.current, available: 1000, totalCreated: ctx.server.connections.totalCreated },
    storageEngine: { name: 'standin', persistent: ctx.server.persistent },
    mem: { resident: Math.round(process.memoryUsage().rss / 2 ** 20) },
    ok: 1,
  }),
  hostInfo: () => ({
    system: { currentTime: new Date(), hostname: os.hostname(), cpuAddrSize: 64, numCores: os.cpus().length, memSizeMB: Math.round(os.totalmem() / 2 ** 20) },
    os: { type: os.type(), name: os.platform(), version: os.release() },
    extra: {},
    ok: 1,
  }),
  getCmdLineOpts: () => ({ argv: ['standin'], parsed: {}, ok: 1 }),
  getLog: (cmd) => (cmd.getLog === '*' ? { names: ['startupWarnings'], ok: 1 } : { totalLinesWritten: 0, log: [], ok: 1 }),
  connectionStatus: () => ({ authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] }, ok: 1 }),
  whatsmyuri: () => ({ you: '127.0.0.1', ok: 1 }),
  getParameter: (cmd, ctx) => {
    const reply: Document = { ok: 1 };
    if (cmd.getParameter === '*' || cmd.featureCompatibilityVersion !== undefined) reply.featureCompatibilityVersion = { version: '7.0' };
    if (cmd.getParameter === '*' || cmd.ttlMonitorSleepSecs !== undefined) reply.ttlMonitorSleepSecs = ctx.server.ttlMonitorSleepSecs;
    return reply;
  },
  setParameter: (cmd, ctx) => {
    const reply: Document = { ok: 1 };
    if (cmd.ttlMonitorSleepSecs !== undefined) {
      const secs = Number(cmd.ttlMonitorSleepSecs);
      if (!Number.isInteger(secs) || secs < 1) {
        return { ok: 0, code: 2, codeName: 'BadValue', errmsg: 'ttlMonitorSleepSecs must be a positive integer' };
      }
      reply.was = ctx.server.ttlMonitorSleepSecs;
      ctx.server.ttlMonitorSleepSecs = secs;
      ctx.server.onTtlSleepChanged();
    }
    return reply;
  },
};
