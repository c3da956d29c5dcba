import { decrypt as libDecrypt, encrypt as libEncrypt } from '@wecom/crypto';
import { DecryptError, decryptMessage, encryptMessage, verifySignature } from '../../../src/wecom/crypto';
import { SAMPLE } from '../../helpers/wecom';

describe('WeCom callback crypto, on WeCom’s published sample', () => {
  it('accepts the sample signature and decrypts the sample echostr with the CorpID as receive id', () => {
    expect(verifySignature(SAMPLE.token, SAMPLE.timestamp, SAMPLE.nonce, SAMPLE.echostr, SAMPLE.msgSignature)).toBe(true);
    expect(decryptMessage(SAMPLE.encodingAesKey, SAMPLE.echostr)).toEqual({ message: SAMPLE.echo, receiveId: SAMPLE.corpId });
  });

  it('refuses a signature that differs in one digit, or comes with another nonce', () => {
    const forged = SAMPLE.msgSignature.slice(0, -1) + '4';
    expect(verifySignature(SAMPLE.token, SAMPLE.timestamp, SAMPLE.nonce, SAMPLE.echostr, forged)).toBe(false);
    expect(verifySignature(SAMPLE.token, SAMPLE.timestamp, '263014781', SAMPLE.echostr, SAMPLE.msgSignature)).toBe(false);
    expect(verifySignature(SAMPLE.token, SAMPLE.timestamp, SAMPLE.nonce, SAMPLE.echostr, 'short')).toBe(false);
  });

  it('encrypts what @wecom/crypto decrypts, and the other way round', () => {
    const sealed = encryptMessage(SAMPLE.encodingAesKey, '{"msgtype":"text","text":{"content":"你好"}}', '');
    expect(libDecrypt(SAMPLE.encodingAesKey, sealed).message).toBe('{"msgtype":"text","text":{"content":"你好"}}');
    const theirs = libEncrypt(SAMPLE.encodingAesKey, '东方花园', SAMPLE.corpId);
    expect(decryptMessage(SAMPLE.encodingAesKey, theirs)).toEqual({ message: '东方花园', receiveId: SAMPLE.corpId });
  });

  it('throws on a ciphertext made with another key, where @wecom/crypto would return garbage', () => {
    const otherKey = 'a'.repeat(43);
    const sealed = encryptMessage(otherKey, '{"msgid":"1"}', '');
    expect(() => libDecrypt(SAMPLE.encodingAesKey, sealed)).not.toThrow();
    expect(() => decryptMessage(SAMPLE.encodingAesKey, sealed)).toThrow(DecryptError);
  });

  it('throws on text that is not whole AES blocks of base64', () => {
    expect(() => decryptMessage(SAMPLE.encodingAesKey, 'not base64!')).toThrow(DecryptError);
    expect(() => decryptMessage(SAMPLE.encodingAesKey, Buffer.alloc(20).toString('base64'))).toThrow(DecryptError);
  });
});
