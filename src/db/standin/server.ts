import net from 'node:net';
import type { Logger } from '../../log';
import type { Catalog } from './catalog';
import { runCommand, type Durability } from './commands';
import type { CommandContext, ServerState } from './commands/context';
import { CursorRegistry } from './cursors';
import { fail } from './errors';
import { expireDocuments } from './ttl-monitor';
import { encodeMsgReply, encodeOpReply, OP_QUERY, parseMessage, peekMessageLength, type CommandRequest } from './wire';
import { serialize } from 'bson';

export interface ServerOptions {
  catalog: Catalog;
  log: Logger;
  persistent: boolean;
  /** Makes changes durable (a data directory), or nothing (memory only). */
  durability: Durability;
  /** The id of this opening of the data directory, reported by buildInfo (see lock.ts). */
  instance?: string;
}

/**
 * The TCP side: reads wire messages per connection, runs them one after another (a driver
 * never pipelines on one connection), and writes the replies. A malformed message closes
 * only its own connection.
 */
export class StandinServer {
  private readonly server = net.createServer((socket) => this.accept(socket));
  private readonly sockets = new Set<net.Socket>();
  private readonly cursors = new CursorRegistry();
  private readonly state: ServerState;
  private nextConnectionId = 1;
  private ttlTimer?: NodeJS.Timeout;
  private reaper?: NodeJS.Timeout;
  private inFlight = new Set<Promise<unknown>>();
  private stopped = false;

  constructor(private readonly opts: ServerOptions) {
    this.state = {
      startedAt: new Date(),
      ttlMonitorSleepSecs: 60,
      connections: { current: 0, totalCreated: 0 },
      persistent: opts.persistent,
      instance: opts.instance,
      log: opts.log,
      onTtlSleepChanged: () => this.scheduleTtl(),
    };
  }

  async listen(port: number, host: string): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.scheduleTtl();
    this.reaper = setInterval(() => this.cursors.reap(), 60_000).unref();
    return (this.server.address() as net.AddressInfo).port;
  }

  async close(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.ttlTimer);
    clearInterval(this.reaper);
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
    await Promise.allSettled([...this.inFlight]);
  }

  private scheduleTtl(): void {
    clearTimeout(this.ttlTimer);
    if (this.stopped) return;
    this.ttlTimer = setTimeout(() => void this.runTtl(), this.state.ttlMonitorSleepSecs * 1000).unref();
  }

  private async runTtl(): Promise<void> {
    try {
      const removed = expireDocuments(this.opts.catalog, new Date());
      const changes = this.opts.catalog.takeChanges();
      if (changes.ops.length > 0) await this.track(this.opts.durability.commit(changes));
      if (removed > 0) this.opts.log.debug({ removed }, 'stand-in: TTL monitor removed expired documents');
    } catch (err) {
      this.opts.log.error({ err }, 'stand-in: TTL monitor pass failed');
    }
    this.scheduleTtl();
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p)).catch(() => {});
    return p;
  }

  private accept(socket: net.Socket): void {
    const connectionId = this.nextConnectionId++;
    this.sockets.add(socket);
    this.state.connections.current++;
    this.state.connections.totalCreated++;
    socket.setNoDelay(true);
    const chunks: Buffer[] = [];
    let buffered = 0;
    let queue: Promise<void> = Promise.resolve();
    const drop = (reason: string) => {
      this.opts.log.warn({ connectionId, reason }, 'stand-in: closing connection after a malformed message');
      chunks.length = 0;
      buffered = 0;
      socket.destroy();
    };
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      buffered += chunk.length;
      try {
        for (;;) {
          if (buffered < 4) return;
          const head = chunks[0]!.length >= 4 ? chunks[0]! : Buffer.concat(chunks);
          const length = peekMessageLength(head)!;
          if (buffered < length) return;
          const all = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, buffered);
          const message = all.subarray(0, length);
          chunks.length = 0;
          if (all.length > length) chunks.push(all.subarray(length));
          buffered -= length;
          const request = parseMessage(message);
          queue = queue
            .then(() => this.respond(socket, request, connectionId))
            .catch((err: unknown) => {
              this.opts.log.error({ err, connectionId }, 'stand-in: failed to answer a request');
              socket.destroy();
            });
        }
      } catch (err) {
        drop((err as Error).message);
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.sockets.delete(socket);
      this.state.connections.current--;
    });
  }

  private async respond(socket: net.Socket, request: CommandRequest, connectionId: number): Promise<void> {
    if (socket.destroyed) return;
    let db: string;
    if (request.opCode === OP_QUERY) db = (request.fullCollectionName ?? 'admin.$cmd').split('.')[0]!;
    else db = typeof request.body.$db === 'string' ? request.body.$db : '';
    const ctx: CommandContext = {
      db,
      catalog: this.opts.catalog,
      cursors: this.cursors,
      server: this.state,
      connectionId,
      sequences: request.sequences,
    };
    let reply: Uint8Array;
    if (!db) reply = serialize(fail('BadValue', 'OP_MSG requests require a $db argument').toReply());
    else reply = await this.track(runCommand(request.body, ctx, this.opts.durability));
    if (request.moreToCome || socket.destroyed) return;
    socket.write(request.opCode === OP_QUERY ? encodeOpReply(request.requestId, reply) : encodeMsgReply(request.requestId, reply));
  }
}
