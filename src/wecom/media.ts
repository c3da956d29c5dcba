import { createCipheriv, createDecipheriv } from 'node:crypto';
import { MediaError, OutboundRefusedError, WeComNetworkError } from '../errors';

export { MediaError };
import { isWeComMediaUrl, originForLog } from './origin';

/**
 * Pictures users send the bot, fetched from WeCom before their links expire (5 minutes).
 *
 * The intelligent robot's pictures are encrypted (接收消息 path/100719, 图片): AES-256-CBC with
 * the robot's EncodingAESKey — key = base64-decode(EncodingAESKey + "="), 32 bytes; IV = its
 * first 16 bytes; PKCS#7 padding to a multiple of 32 bytes, the same scheme as the callbacks
 * (回调和回复的加解密方案 path/101033), without their random/length/receive-id frame.
 */

/** The bytes of a 43-character EncodingAESKey (or a per-message aeskey in the same form). */
function aesKeyBytes(encodingAesKey: string): Buffer {
  const trimmed = encodingAesKey.trim();
  const key = Buffer.from(trimmed.endsWith('=') ? trimmed : `${trimmed}=`, 'base64');
  if (key.length !== 32) throw new MediaError('E_MEDIA_KEY', `the AES key decodes to ${key.length} bytes, not 32`);
  return key;
}

const PAD_BLOCK = 32;

/** Decrypts a picture the intelligent robot was sent. */
export function decryptMedia(encodingAesKey: string, data: Buffer): Buffer {
  const key = aesKeyBytes(encodingAesKey);
  if (data.length === 0 || data.length % 16 !== 0) throw new MediaError('E_MEDIA_DECRYPT', `${data.length} bytes are not whole AES blocks`);
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
  decipher.setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(data), decipher.final()]);
  const pad = plain[plain.length - 1]!;
  if (pad < 1 || pad > PAD_BLOCK || pad > plain.length || !plain.subarray(plain.length - pad).every((b) => b === pad)) {
    throw new MediaError('E_MEDIA_DECRYPT', 'bad PKCS#7 padding (wrong EncodingAESKey, or not encrypted)');
  }
  return plain.subarray(0, plain.length - pad);
}

/** Encrypts a picture as WeCom does (for the simulator and the tests). */
export function encryptMedia(encodingAesKey: string, data: Buffer): Buffer {
  const key = aesKeyBytes(encodingAesKey);
  const pad = PAD_BLOCK - (data.length % PAD_BLOCK);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.concat([data, Buffer.alloc(pad, pad)])), cipher.final()]);
}

export interface FetchMediaOptions {
  /** WECOM_API_BASE: the picture must be on its origin or on one of WeCom's media hosts. */
  apiBase: string;
  /** More bytes than this and the download stops: E_MEDIA_TOO_LARGE. */
  maxBytes: number;
  timeoutMs: number;
  fetch?: typeof fetch;
}

/**
 * Downloads one picture. Throws OutboundRefusedError (off WeCom's origin, or a redirect: never
 * sent, never followed), MediaError E_MEDIA_TOO_LARGE (stops reading past `maxBytes`) or
 * E_MEDIA_GONE (4xx: the link expired), or WeComNetworkError (no answer, 5xx: worth retrying).
 */
export async function fetchMedia(url: string, opts: FetchMediaOptions): Promise<Buffer> {
  const api = 'media download';
  if (!isWeComMediaUrl(url, opts.apiBase)) {
    throw new OutboundRefusedError(api, 'origin', `${originForLog(url)} is neither WeCom's API origin (WECOM_API_BASE) nor one of its media hosts`);
  }
  let res: Response;
  try {
    res = await (opts.fetch ?? fetch)(url, { method: 'GET', redirect: 'manual', signal: AbortSignal.timeout(opts.timeoutMs) });
  } catch (err) {
    const e = err as { name?: string; message?: string; cause?: { code?: string } };
    throw new WeComNetworkError(api, e.name === 'TimeoutError' ? `no answer within ${opts.timeoutMs} ms` : (e.cause?.code ?? e.message ?? String(err)));
  }
  if (res.status >= 300 && res.status < 400) {
    await res.body?.cancel().catch(() => {});
    throw new OutboundRefusedError(api, 'redirect', `answered HTTP ${res.status}; redirects are never followed`);
  }
  if (res.status >= 400 && res.status < 500) {
    await res.body?.cancel().catch(() => {});
    throw new MediaError('E_MEDIA_GONE', `HTTP ${res.status} (the link has expired, or was never valid)`);
  }
  if (res.status !== 200 || !res.body) {
    await res.body?.cancel().catch(() => {});
    throw new WeComNetworkError(api, `HTTP ${res.status}`);
  }
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > opts.maxBytes) {
    await res.body.cancel().catch(() => {});
    throw new MediaError('E_MEDIA_TOO_LARGE', `${declared} bytes declared, more than ${opts.maxBytes}`);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = res.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > opts.maxBytes) {
        await reader.cancel().catch(() => {});
        throw new MediaError('E_MEDIA_TOO_LARGE', `more than ${opts.maxBytes} bytes`);
      }
      chunks.push(value);
    }
  } catch (err) {
    if (err instanceof MediaError) throw err;
    const e = err as { name?: string; message?: string };
    throw new WeComNetworkError(api, e.name === 'TimeoutError' ? `no answer within ${opts.timeoutMs} ms` : (e.message ?? String(err)));
  }
  return Buffer.concat(chunks);
}

/**
 * The photo intake's media source (src/services/photo-intake.ts): WeCom's pictures, fetched
 * from its origin and, for the intelligent robot, decrypted with the EncodingAESKey.
 */
export function weComMedia(wecom: { apiBase: string; encodingAesKey: string }, fetchImpl?: typeof fetch) {
  return {
    async download(url: string, opts: { encrypted: boolean; maxBytes: number; timeoutMs: number }): Promise<Buffer> {
      // Encryption pads by up to 32 bytes.
      const data = await fetchMedia(url, { apiBase: wecom.apiBase, maxBytes: opts.maxBytes + (opts.encrypted ? PAD_BLOCK : 0), timeoutMs: opts.timeoutMs, fetch: fetchImpl });
      return opts.encrypted ? decryptMedia(wecom.encodingAesKey, data) : data;
    },
  };
}
