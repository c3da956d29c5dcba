import { timingSafeEqual } from 'node:crypto';
import { decrypt, encrypt, getSignature } from '@wecom/crypto';

/**
 * WeCom's callback crypto (the same for all three channels): a SHA1 signature over token,
 * timestamp, nonce and ciphertext, and AES-256-CBC with the EncodingAESKey.
 * Self-built app: path/91144; intelligent robot: path/101033; group robot: path/99399.
 */

/** The plaintext of a ciphertext, and the receive id WeCom appended to it. */
export interface Decrypted {
  message: string;
  receiveId: string;
}

/** Thrown when a ciphertext does not decrypt to a well-formed WeCom frame (wrong key, or garbage). */
export class DecryptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecryptError';
  }
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** `msg_signature` as WeCom computes it: sha1 of the four values sorted and joined. */
export function signature(token: string, timestamp: string | number, nonce: string, ciphertext: string): string {
  return getSignature(token, timestamp, nonce, ciphertext);
}

/** Compares the given `msg_signature` with the expected one in constant time. */
export function verifySignature(
  token: string,
  timestamp: string,
  nonce: string,
  ciphertext: string,
  given: string,
): boolean {
  const expected = Buffer.from(signature(token, timestamp, nonce, ciphertext), 'utf8');
  const actual = Buffer.from(given.toLowerCase(), 'utf8');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * Decrypts a ciphertext. @wecom/crypto accepts any padding byte and any length field, so a
 * wrong key yields garbage instead of an error; the frame is therefore re-encrypted with
 * the random prefix it carried, which reproduces the ciphertext exactly only when padding,
 * length and UTF-8 were all well-formed. Verify the signature first.
 */
export function decryptMessage(encodingAesKey: string, ciphertext: string): Decrypted {
  if (!BASE64.test(ciphertext) || Buffer.from(ciphertext, 'base64').length % 32 !== 0) {
    throw new DecryptError('ciphertext is not base64 of whole 32-byte blocks');
  }
  let frame: ReturnType<typeof decrypt>;
  try {
    frame = decrypt(encodingAesKey, ciphertext);
  } catch (err) {
    throw new DecryptError(`cannot decrypt: ${(err as Error).message}`);
  }
  if (encrypt(encodingAesKey, frame.message, frame.id, frame.random) !== ciphertext) {
    throw new DecryptError('decrypted frame is malformed (wrong EncodingAESKey?)');
  }
  return { message: frame.message, receiveId: frame.id };
}

/** Encrypts a plaintext for WeCom with the given receive id (CorpID for apps, '' for robots). */
export function encryptMessage(encodingAesKey: string, message: string, receiveId: string): string {
  return encrypt(encodingAesKey, message, receiveId);
}

/** A signed, encrypted envelope, as passive replies (and the simulator's callbacks) carry it. */
export interface SealedEnvelope {
  encrypt: string;
  signature: string;
  timestamp: number;
  nonce: string;
}

/** Encrypts and signs a plaintext in one step. */
export function seal(
  creds: { token: string; encodingAesKey: string },
  receiveId: string,
  plaintext: string,
  timestamp: number,
  nonce: string,
): SealedEnvelope {
  const ciphertext = encryptMessage(creds.encodingAesKey, plaintext, receiveId);
  return { encrypt: ciphertext, signature: signature(creds.token, timestamp, nonce, ciphertext), timestamp, nonce };
}
