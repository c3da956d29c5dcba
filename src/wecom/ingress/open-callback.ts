import type { IncomingMessage as HttpRequest } from 'node:http';
import getRawBody from 'raw-body';
import { z } from 'zod';
import { DecryptError, decryptMessage, verifySignature } from '../crypto';
import { parseXml } from './xml';

/** The largest callback body read; WeCom's are a few KiB. */
export const MAX_CALLBACK_BYTES = 64 * 1024;
/** A callback whose timestamp is further than this from now is treated as a replay. */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

/** Why a callback was refused: the HTTP status, and a log line that says what to check. */
export class CallbackRejected extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 413,
    message: string,
  ) {
    super(message);
    this.name = 'CallbackRejected';
  }
}

export interface CallbackKeys {
  token: string;
  encodingAesKey: string;
  /** The receive id the plaintext must end with: the CorpID for apps, '' for robots. */
  receiveId: string;
}

/** The signed query WeCom adds to every callback URL (path/101033, path/91144). */
export interface CallbackQuery {
  msgSignature: string;
  timestamp: string;
  nonce: string;
}

const querySchema = z.object({
  msg_signature: z.string().regex(/^[0-9a-fA-F]{40}$/),
  timestamp: z.string().regex(/^\d{1,12}$/),
  nonce: z.string().min(1).max(64),
});

const SIGNATURE_HINT = 'check WECOM_TOKEN against the WeCom admin console';
const KEY_HINT = 'check WECOM_ENCODING_AES_KEY against the WeCom admin console';
const CORP_HINT = 'check WECOM_CORP_ID (the CorpID on 我的企业 in the admin console)';

/** Reads msg_signature, timestamp and nonce; 401 when absent or malformed. */
export function readQuery(query: Record<string, unknown>): CallbackQuery {
  const q = querySchema.safeParse(query);
  if (!q.success) throw new CallbackRejected(401, 'callback without a valid msg_signature/timestamp/nonce');
  return { msgSignature: q.data.msg_signature, timestamp: q.data.timestamp, nonce: q.data.nonce };
}

/**
 * Verifies and decrypts one ciphertext, in WeCom's order: 1. timestamp within 5 minutes
 * (replays), 2. signature over the ciphertext, constant time, 3. AES decrypt, 4. receive id.
 */
export function openCiphertext(keys: CallbackKeys, query: CallbackQuery, ciphertext: string, now: Date): string {
  const skew = Math.abs(now.getTime() - Number(query.timestamp) * 1000);
  if (skew > MAX_CLOCK_SKEW_MS) {
    throw new CallbackRejected(401, `callback timestamp ${query.timestamp} is ${Math.round(skew / 1000)} s away from now (replay?) — check this server's clock`);
  }
  if (!verifySignature(keys.token, query.timestamp, query.nonce, ciphertext, query.msgSignature)) {
    throw new CallbackRejected(401, `signature mismatch — ${SIGNATURE_HINT}`);
  }
  let plain;
  try {
    plain = decryptMessage(keys.encodingAesKey, ciphertext);
  } catch (err) {
    if (err instanceof DecryptError) throw new CallbackRejected(400, `${err.message} — ${KEY_HINT}`);
    throw err;
  }
  if (plain.receiveId !== keys.receiveId) {
    throw new CallbackRejected(403, `receive id "${plain.receiveId}" is not "${keys.receiveId}" — ${keys.receiveId ? CORP_HINT : KEY_HINT}`);
  }
  return plain.message;
}

/** Reads the body itself, refusing more than MAX_CALLBACK_BYTES without buffering it. */
export async function readBody(req: HttpRequest): Promise<string> {
  try {
    return await getRawBody(req, { limit: MAX_CALLBACK_BYTES, length: req.headers['content-length'], encoding: 'utf-8' });
  } catch (err) {
    const type = (err as { type?: string }).type;
    if (type === 'entity.too.large') throw new CallbackRejected(413, `callback body over ${MAX_CALLBACK_BYTES} bytes`);
    throw new CallbackRejected(400, `cannot read callback body: ${(err as Error).message}`);
  }
}

const CIPHERTEXT = z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/).max(MAX_CALLBACK_BYTES);
const xmlEnvelope = z.object({ xml: z.object({ Encrypt: CIPHERTEXT }) });
const jsonEnvelope = z.object({ encrypt: CIPHERTEXT });

/**
 * Extracts just the ciphertext from a callback body: `<xml><Encrypt>…</Encrypt></xml>`
 * (group robot path/99399, app path/91144; other elements such as ToUserName and AgentID
 * are ignored) or `{"encrypt":"…"}` (intelligent robot path/101033). 400 otherwise.
 */
export function extractCiphertext(body: string, format: 'xml' | 'json'): string {
  let parsed: unknown;
  if (format === 'xml') {
    parsed = parseXml(body);
  } else {
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = null;
    }
  }
  const envelope = format === 'xml' ? xmlEnvelope.safeParse(parsed) : jsonEnvelope.safeParse(parsed);
  if (!envelope.success) throw new CallbackRejected(400, `callback body is not a WeCom ${format.toUpperCase()} envelope with an Encrypt value`);
  return 'xml' in envelope.data ? envelope.data.xml.Encrypt : envelope.data.encrypt;
}
