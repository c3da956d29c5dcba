import { createHash } from 'node:crypto';
import { startWebhookSink, type WebhookSink } from '../../../src/sim/webhook-sink';

let t = Date.parse('2030-01-07T01:00:00Z');
const now = () => new Date(t);
let sink: WebhookSink;

beforeEach(async () => {
  t = Date.parse('2030-01-07T01:00:00Z');
  sink = await startWebhookSink({ now });
});
afterEach(() => sink.stop());

const post = async (url: string, body: unknown) => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return (await res.json()) as { errcode: number; errmsg: string };
};
const text = (content: string) => ({ msgtype: 'text', text: { content } });

describe('webhook sink', () => {
  it('answers 45009 past 20 pushes to one robot in 60 s by its own clock, and takes pushes again after', async () => {
    const url = sink.webhookUrl('robot-a');
    for (let i = 0; i < 20; i++) expect((await post(url, text(`第${i}条`))).errcode).toBe(0);
    expect((await post(url, text('第21条'))).errcode).toBe(45009);
    expect((await post(sink.webhookUrl('robot-b'), text('另一个群'))).errcode).toBe(0);
    t += 60_000;
    expect((await post(url, text('一分钟后'))).errcode).toBe(0);
    expect(sink.received).toHaveLength(22);
    expect(sink.rejected).toEqual([{ key: 'robot-a', at: new Date(Date.parse('2030-01-07T01:00:00Z')), errcode: 45009 }]);
  });

  it('checks content like WeCom: size in bytes, empty content, message type, image md5', async () => {
    const url = sink.webhookUrl('robot-a');
    expect((await post(url, { msgtype: 'markdown', markdown: { content: '楼'.repeat(1366) } })).errcode).toBe(40058); // 4,098 bytes
    expect((await post(url, { msgtype: 'markdown', markdown: { content: '楼'.repeat(1365) } })).errcode).toBe(0);
    expect((await post(url, text('楼'.repeat(683)))).errcode).toBe(40058); // 2,049 bytes
    expect((await post(url, text(''))).errcode).toBe(44004);
    expect((await post(url, { msgtype: 'link' })).errcode).toBe(40008);
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const md5 = createHash('md5').update(png).digest('hex');
    expect((await post(url, { msgtype: 'image', image: { base64: png.toString('base64'), md5: md5.replace(/^./, 'f') } })).errcode).toBe(40058);
    expect((await post(url, { msgtype: 'image', image: { base64: png.toString('base64'), md5 } })).errcode).toBe(0);
  });

  it('answers 93000 for a removed robot, and lets tests fail the next requests of one robot', async () => {
    sink.invalidate('gone');
    expect((await post(sink.webhookUrl('gone'), text('在吗'))).errcode).toBe(93000);
    sink.failNext(2, { errcode: -1, errmsg: 'system busy' }, 'robot-a');
    expect((await post(sink.webhookUrl('robot-b'), text('不受影响'))).errcode).toBe(0);
    expect((await post(sink.webhookUrl('robot-a'), text('一'))).errcode).toBe(-1);
    expect((await post(sink.webhookUrl('robot-a'), text('二'))).errcode).toBe(-1);
    expect((await post(sink.webhookUrl('robot-a'), text('三'))).errcode).toBe(0);
    sink.failNext(1, { status: 500 });
    expect((await fetch(sink.webhookUrl('robot-a'), { method: 'POST', body: '{}' })).status).toBe(500);
    expect(sink.received.map((p) => p.body.text?.content)).toEqual(['不受影响', '三']);
  });

  it('tells onPush about every accepted push as it arrives', async () => {
    const seen: string[] = [];
    sink.onPush = (p) => seen.push(`${p.channel}:${p.key}:${p.msgtype}`);
    await post(sink.webhookUrl('robot-a'), text('你好'));
    await post(sink.responseUrl('code-1'), { msgtype: 'markdown', markdown: { content: '答复' } });
    expect(seen).toEqual(['webhook:robot-a:text', 'response_url:code-1:markdown']);
  });

  it('takes a response_url once, and not after an hour', async () => {
    const once = sink.responseUrl();
    expect((await post(once, { msgtype: 'markdown', markdown: { content: '一' } })).errcode).toBe(0);
    expect((await post(once, { msgtype: 'markdown', markdown: { content: '二' } })).errcode).toBe(40058);
    const late = sink.responseUrl();
    t += 3600_000;
    expect((await post(late, { msgtype: 'markdown', markdown: { content: '迟到' } })).errcode).toBe(40058);
  });
});
