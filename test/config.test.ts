import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../src/config';

const tmpDataDir = () => mkdtempSync(path.join(tmpdir(), 'lyt-config-'));

describe('loadConfig', () => {
  it('starts in local mode with generated WeCom values that survive a restart', () => {
    const DATA_DIR = tmpDataDir();
    const first = loadConfig({ DATA_DIR });
    expect(first.mode).toBe('local');
    expect(first.port).toBe(3000);
    expect(first.wecom.apiBase).toBe('http://127.0.0.1:3001');
    expect(first.wecom.encodingAesKey).toMatch(/^[A-Za-z0-9+/]{43}$/);
    expect(loadConfig({ DATA_DIR }).wecom).toEqual(first.wecom);
  });

  it('uses the configured WeCom credentials', () => {
    const config = loadConfig({
      DATA_DIR: tmpDataDir(),
      WECOM_TOKEN: 'QDG6eK',
      WECOM_ENCODING_AES_KEY: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
      WECOM_CORP_ID: 'wx5823bf96d3bd56c7',
      PORT: '8080',
    });
    expect(config.mode).toBe('wecom');
    expect(config.port).toBe(8080);
    expect(config.wecom.token).toBe('QDG6eK');
    expect(config.wecom.apiBase).toBe('https://qyapi.weixin.qq.com');
  });

  it('names every bad variable at once', () => {
    const load = () =>
      loadConfig({ DATA_DIR: tmpDataDir(), PORT: 'eighty', MONGODB_URI: 'postgres://x', WECOM_ENCODING_AES_KEY: 'short' });
    expect(load).toThrow(ConfigError);
    try {
      load();
    } catch (err) {
      const text = (err as ConfigError).message;
      expect(text).toContain('PORT');
      expect(text).toContain('MONGODB_URI');
      expect(text).toContain('WECOM_ENCODING_AES_KEY');
    }
  });

  it('refuses a partial set of WeCom credentials', () => {
    expect(() => loadConfig({ DATA_DIR: tmpDataDir(), WECOM_TOKEN: 'abc' })).toThrow(/WECOM_ENCODING_AES_KEY.*\n.*WECOM_CORP_ID/);
  });
});
