import type { AddressInfo } from 'node:net';
import mongoose from 'mongoose';
import { loadConfig } from '../src/config';
import { silentLogger } from '../src/log';
import { buildCallback, type WeComCredentials } from '../src/sim/callback-builder';
import { createRuntime } from '../src/runtime';
import { createCalendar } from '../src/services/calendar';
import type { Outbox } from '../src/wecom/outbox';

/**
 * Counts the database commands one callback costs: main.ts's composition (createRuntime, with
 * an outbox that only records) in this process, on a connection with command
 * monitoring, sent `count` callbacks one at a time over HTTP. Returns commands per callback by name.
 */
export async function databaseCommandsPerCallback(
  uri: string,
  creds: WeComCredentials,
  callbacks: Array<{ user: string; chat: string; text: string }>,
  /** Filled with commands per callback by command and collection (`find cadres`). */
  byCollection: Record<string, number> = {},
): Promise<Record<string, number>> {
  const conn = mongoose.createConnection(uri, { monitorCommands: true, serverSelectionTimeoutMS: 5000 });
  await conn.asPromise();
  const counts: Record<string, number> = {};
  const where: Record<string, number> = {};
  let counting = false;
  conn.getClient().on('commandStarted', (e) => {
    if (!counting) return;
    counts[e.commandName] = (counts[e.commandName] ?? 0) + 1;
    const target = (e.command as Record<string, unknown>)[e.commandName];
    const name = `${e.commandName} ${typeof target === 'string' ? target : '—'}`;
    where[name] = (where[name] ?? 0) + 1;
  });
  const config = loadConfig({
    WECOM_TOKEN: creds.token,
    WECOM_ENCODING_AES_KEY: creds.encodingAesKey,
    WECOM_CORP_ID: creds.corpId,
    WECOM_API_BASE: 'http://127.0.0.1:9',
    EMBEDDED_DB: 'allow',
    SCHEDULER: 'off',
    LOG_LEVEL: 'silent',
  });
  const outbox: Pick<Outbox, 'enqueue'> = { enqueue: async () => 'queued' };
  const runtime = await createRuntime(config, conn, { log: silentLogger, outbox, calendar: createCalendar(), timers: false });
  const app = runtime.app('probe');
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const send = async (f: { user: string; chat: string; text: string }) => {
      const cb = buildCallback(creds, { channel: 'aibot', ...f });
      const res = await fetch(base + cb.url, { method: 'POST', body: cb.body, headers: { 'content-type': cb.contentType } });
      await res.text();
    };
    await send(callbacks[0]!); // warm-up: first-use index builds and lookups
    counting = true;
    for (const f of callbacks.slice(1)) await send(f);
    counting = false;
  } finally {
    server.close();
    await conn.close();
  }
  const n = callbacks.length - 1;
  for (const [k, v] of Object.entries(where)) byCollection[k] = v / n;
  return Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, v / n]));
}
