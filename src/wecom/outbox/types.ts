/** The outbox's public shapes: what a push is, and what the outbox does with one. */
import type mongoose from 'mongoose';
import type { Logger } from '../../log';
import type { WeComClient, WeComMessage } from '../client';

export type PushTarget =
  /** Group robot: …/cgi-bin/webhook/send?key=KEY on WECOM_API_BASE's origin, or the bare key. */
  | { kind: 'webhook'; url: string }
  /** Intelligent robot: one later answer, within 1 hour. */
  | { kind: 'response_url'; url: string }
  /** Self-built app message to one user. */
  | { kind: 'app'; toUser: string };

/**
 * markdown: mentions appended as `<@userid>`; text: mentions in mentioned_list; image: base64 +
 * md5 by the client; file: upload_media, then send media_id.
 */
export type PushPayload = WeComMessage;

export interface PushRequest {
  /** Unique; a second enqueue with the same key is a no-op ('duplicate'). E.g. `reply:<msgId>`, `weekly-ranking:2020-09-28T01:00Z:<chatId>:1`. */
  dedupeKey: string;
  target: PushTarget;
  payload: PushPayload;
  /** Not before this instant (quiet hours etc.); default now. */
  notBefore?: Date;
}

export interface Outbox {
  enqueue(req: PushRequest): Promise<'queued' | 'duplicate'>;
  enqueueMany(reqs: PushRequest[]): Promise<void>;
  /**
   * Sends what is due at now() and resolves when the lanes it started are done; returns
   * counts. Tests drive it with a fake clock.
   */
  runDue(): Promise<{ sent: number; retried: number; dead: number }>;
  /**
   * A timer loop that every pollMs starts the due lanes not already under way, without
   * waiting for the ones still sending: a robot that hangs holds up its own lane only.
   */
  start(): void;
  /** Stops the loop and waits for the run under way; runDue does nothing afterwards. */
  stop(): Promise<void>;
}

export interface OutboxDeps {
  conn: mongoose.Connection;
  client: WeComClient;
  log: Logger;
  now?: () => Date;
  /** Pushes per robot (webhook key) in any minute, across all processes. Default 20 (path/99110). */
  perMinute?: number;
  /** Attempts before a push is given up ('dead'). Default 8. */
  maxAttempts?: number;
  /** How long a lane stays claimed without a renewal (a crashed holder's lanes free up after it). Default 60 s. */
  leaseMs?: number;
  /** Interval of the start() loop. Default 1 s. */
  pollMs?: number;
  /**
   * Lanes this process sends to at once. Default 16: that many robots may hang (each until
   * the client's request timeout) before a push to another robot has to wait for a slot.
   */
  concurrency?: number;
  /** For the backoff jitter; tests may fix it. */
  random?: () => number;
  /**
   * Told when a group robot is retired (WeCom says it is gone, or its URL is off WeCom's
   * origin), with its URL and key: the runtime flags the groups pushing to it
   * (src/services/webhooks.ts). Absent: only logged.
   */
  onWebhookRetired?: (url: string, key: string, at: Date) => Promise<void>;
}

export type Counts = { sent: number; retried: number; dead: number };
