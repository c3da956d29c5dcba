/**
 * The callback path's baseline: only the work no implementation can skip — read the body,
 * verify the signature, decrypt, parse the message, encrypt and sign a fixed reply — with the
 * same functions the real ingress uses, on plain node:http, no database, no command.
 *   tsx bench/baseline-server.ts   (prints its URL once listening; SIGTERM stops it)
 * Credentials come from WECOM_TOKEN / WECOM_ENCODING_AES_KEY / WECOM_CORP_ID.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CallbackRejected, extractCiphertext, openCiphertext, readBody, readQuery } from '../src/wecom/ingress/open-callback';
import { parseAibot } from '../src/wecom/ingress/parse-aibot';
import { renderPassive } from '../src/wecom/passive-reply';

const keys = { token: process.env.WECOM_TOKEN ?? '', encodingAesKey: process.env.WECOM_ENCODING_AES_KEY ?? '', receiveId: '' };
const FIXED_REPLY = '✅ 已收到';

const server = createServer((req, res) => {
  void (async () => {
    try {
      const url = new URL(req.url ?? '/', 'http://baseline');
      const query = readQuery(Object.fromEntries(url.searchParams));
      const parsed = parseAibot(openCiphertext(keys, query, extractCiphertext(await readBody(req), 'json'), new Date()), new Date());
      if (parsed.kind !== 'message') throw new CallbackRejected(400, 'not a message');
      const out = renderPassive(
        { channel: 'aibot', format: 'json', keys, nonce: query.nonce, now: new Date(), streamId: `s-${parsed.message.msgId}` },
        { type: 'answer', content: FIXED_REPLY },
      );
      res.writeHead(200, { 'content-type': out.type });
      res.end(out.body);
    } catch (err) {
      res.writeHead(err instanceof CallbackRejected ? err.status : 500);
      res.end();
    }
  })();
});

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
