import http from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { encryptMedia } from '../../src/wecom/media';

/**
 * WeCom's picture links, on 127.0.0.1: `put(path, bytes)` serves them (encrypted or plain, as
 * the test says), counts every request, and can answer the first N requests of a path 503
 * (WeCom slow or failing).
 */
export interface MediaSink {
  base: string;
  put(path: string, bytes: Buffer): string;
  failFirst(path: string, n: number): void;
  hits(path?: string): number;
  close(): Promise<void>;
}

export async function startMediaSink(): Promise<MediaSink> {
  const files = new Map<string, Buffer>();
  const failing = new Map<string, number>();
  const counts = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0]!;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    const fail = failing.get(path) ?? 0;
    if (fail > 0) {
      failing.set(path, fail - 1);
      res.writeHead(503).end();
      return;
    }
    const body = files.get(path);
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    put(path, bytes) {
      files.set(path, bytes);
      return `${base}${path}?sign=q-sign-algorithm%3Dsha1`;
    },
    failFirst: (path, n) => failing.set(path, n),
    hits: (path) => (path ? (counts.get(path) ?? 0) : [...counts.values()].reduce((a, b) => a + b, 0)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Encrypted as the intelligent robot's pictures are. */
export const encrypted = (key: string, bytes: Buffer) => encryptMedia(key, bytes);

/** A JPEG as a phone takes it: EXIF with the camera, its owner, a GPS position and the capture time. */
export function phoneJpeg(width = 1200, height = 900, color = { r: 180, g: 60, b: 40 }): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: color } })
    .jpeg({ quality: 80 })
    .withExif({
      IFD0: { Make: 'PhoneMaker', Model: 'P1', Artist: '张三' },
      IFD2: { DateTimeOriginal: '2020:09:15 08:30:00' },
      IFD3: { GPSLatitudeRef: 'N', GPSLongitudeRef: 'E' },
    })
    .toBuffer();
}

export const plainPng = (width = 640, height = 480) => sharp({ create: { width, height, channels: 3, background: { r: 30, g: 140, b: 60 } } }).png().toBuffer();
export const plainWebp = () => sharp({ create: { width: 500, height: 500, channels: 3, background: { r: 30, g: 30, b: 160 } } }).webp().toBuffer();
