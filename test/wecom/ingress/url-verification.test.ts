import mongoose from 'mongoose';
import request from 'supertest';
import type { Channel } from '../../../src/wecom/message';
import { SAMPLE, TEST_CREDS, buildUrlVerification, createTestApp } from '../../helpers/wecom';

/** URL verification touches no database: an unopened connection proves it. */
const conn = mongoose.createConnection();
const sampleTime = new Date(Number(SAMPLE.timestamp) * 1000);

function appAt(now: Date) {
  return createTestApp({ conn, handle: async () => null, now: () => now }).app.callback();
}

const sampleQuery = (sig: string = SAMPLE.msgSignature) =>
  `msg_signature=${sig}&timestamp=${SAMPLE.timestamp}&nonce=${SAMPLE.nonce}&echostr=${encodeURIComponent(SAMPLE.echostr)}`;

describe('URL verification (GET) on the three callback URLs', () => {
  it('answers WeCom’s published sample with the plain echo on the app URL (receive id = CorpID)', async () => {
    const res = await request(appAt(sampleTime)).get(`/wecom/app?${sampleQuery()}`);
    expect(res.status).toBe(200);
    expect(res.text).toBe(SAMPLE.echo);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
  });

  it.each<Channel>(['aibot', 'bot'])('refuses the sample on the %s URL: robots encrypt with an empty receive id', async (channel) => {
    const res = await request(appAt(sampleTime)).get(`/wecom/${channel}?${sampleQuery()}`);
    expect(res.status).toBe(403);
  });

  it.each<Channel>(['aibot', 'bot', 'app'])('answers a verification built for the %s URL', async (channel) => {
    const now = new Date('2020-09-28T01:00:00Z');
    const v = buildUrlVerification(TEST_CREDS, channel, { timestamp: now.getTime() / 1000 });
    const res = await request(appAt(now)).get(v.url);
    expect(res.status).toBe(200);
    expect(res.text).toBe(v.echo);
  });

  it('refuses a forged signature with 401', async () => {
    const res = await request(appAt(sampleTime)).get(`/wecom/app?${sampleQuery('0'.repeat(40))}`);
    expect(res.status).toBe(401);
    expect(res.text).toBe('');
  });

  it('refuses the sample replayed an hour later with 401', async () => {
    const res = await request(appAt(new Date(sampleTime.getTime() + 3600_000))).get(`/wecom/app?${sampleQuery()}`);
    expect(res.status).toBe(401);
  });

  it('refuses a verification without echostr with 400', async () => {
    const q = `msg_signature=${SAMPLE.msgSignature}&timestamp=${SAMPLE.timestamp}&nonce=${SAMPLE.nonce}`;
    expect((await request(appAt(sampleTime)).get(`/wecom/app?${q}`)).status).toBe(400);
  });
});
