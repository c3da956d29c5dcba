import { createCipheriv, randomBytes } from 'node:crypto';
import { signature } from '../../../src/wecom/crypto';
import type { WeComCredentials } from '../../helpers/wecom';

/**
 * Encrypts raw bytes as WeCom would a message (AES-256-CBC, IV = the key's first 16 bytes,
 * 16 random bytes + 4-byte length + message + receive id, PKCS#7 to 32 bytes) and signs the
 * result: for plaintexts no string can hold, such as invalid UTF-8.
 */
export function sealBytes(creds: WeComCredentials, message: Buffer, receiveId: string, timestamp: number, nonce = '1234567'): { url: string; body: string } {
  const key = Buffer.from(creds.encodingAesKey + '=', 'base64');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(message.length);
  const frame = Buffer.concat([randomBytes(16), len, message, Buffer.from(receiveId)]);
  const pad = 32 - (frame.length % 32);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  const encrypt = Buffer.concat([cipher.update(Buffer.concat([frame, Buffer.alloc(pad, pad)])), cipher.final()]).toString('base64');
  const sig = signature(creds.token, timestamp, nonce, encrypt);
  return { url: `/wecom/aibot?msg_signature=${sig}&timestamp=${timestamp}&nonce=${nonce}`, body: JSON.stringify({ encrypt }) };
}
