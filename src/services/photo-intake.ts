/**
 * Downloads the pictures queued by src/services/photos.ts, after the message was answered:
 * from WeCom's origin only (src/wecom/media.ts), decrypted (intelligent robot), at most
 * 10 MB, JPEG/PNG/WebP by their bytes, EXIF removed but the capture time, a thumbnail, both
 * into GridFS. A slow or failing WeCom is retried a few times within the link's 5 minutes;
 * a picture that is refused or lost is told to the sender in one message.
 *
 * One picture at a time per process; each is claimed with a lease (one conditional write), so
 * several processes share the work and a dead one's claims are taken over.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Connection, Types } from 'mongoose';
import type { Config } from '../config';
import type { Models, PhotoDoc } from '../db/models';
import { MediaError, OutboundRefusedError } from '../errors';
import type { Logger } from '../log';
import type { Outbox } from '../wecom/outbox';
import { NotAPhotoError, preparePhoto } from './photo-image';
import { photoBucket } from './photos';

/** Downloads one picture (decrypting it when `encrypted`), at most `maxBytes` of it. */
export interface MediaSource {
  download(url: string, opts: { encrypted: boolean; maxBytes: number; timeoutMs: number }): Promise<Buffer>;
}

export interface PhotoIntakeDeps {
  models: Models;
  conn: Connection;
  config: Pick<Config, 'photos'>;
  log: Logger;
  /** Where "a picture was not kept" goes; absent: only logged. */
  outbox?: Pick<Outbox, 'enqueue'>;
  /** Where pictures come from (src/wecom/media.ts weComMedia): a MediaError or OutboundRefusedError when one cannot be had. */
  media: MediaSource;
  /** Per download attempt (default 20 s). */
  timeoutMs?: number;
  /** Waits before the 2nd, 3rd … attempt (default 2 s, 10 s, 30 s, 60 s: all within the link's 5 minutes). */
  retryDelaysMs?: readonly number[];
  /** The real clock (leases and retries); default Date.now. */
  clock?: () => number;
}

/** A claimed download is another process's for this long. */
const LEASE_MS = 90_000;
const DEFAULT_RETRIES = [2000, 10_000, 30_000, 60_000];

export interface PhotoIntake {
  /** Looks for work now (after a message with pictures was answered). */
  kick(): void;
  /** Resolves once nothing is running, no retry is waiting and nothing claimable is due (for tests and benches). */
  idle(): Promise<void>;
  /** Looks for work every `everyMs` too (a retry due, another process's dead claim), and applies the retention rule hourly. */
  start(everyMs?: number): void;
  stop(): Promise<void>;
  /** Deletes photos older than the retention (PHOTO_RETENTION_DAYS); returns how many. */
  sweepExpired(): Promise<number>;
}

export function createPhotoIntake(deps: PhotoIntakeDeps): PhotoIntake {
  const { models, log, config } = deps;
  const clock = deps.clock ?? Date.now;
  const retries = deps.retryDelaysMs ?? DEFAULT_RETRIES;
  const timeoutMs = deps.timeoutMs ?? 20_000;
  const bucket = photoBucket(deps.conn);
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    t.unref();
    timers.add(t);
  };

  async function claim(): Promise<PhotoDoc | null> {
    const now = new Date(clock());
    return models.Photo.findOneAndUpdate(
      { status: 'pending', leaseUntil: { $lte: now } },
      { $set: { leaseUntil: new Date(now.getTime() + LEASE_MS) }, $inc: { attempts: 1 } },
      { sort: { leaseUntil: 1 }, returnDocument: 'after' },
    );
  }

  /** Bytes the courtyard keeps now. */
  async function usedBytes(courtyard: Types.ObjectId): Promise<number> {
    const [row] = await models.Photo.aggregate<{ bytes: number }>([{ $match: { courtyard, status: 'stored' } }, { $group: { _id: null, bytes: { $sum: '$bytes' } } }]);
    return row?.bytes ?? 0;
  }

  async function upload(photo: PhotoDoc, kind: 'image' | 'thumb', data: Buffer, contentType: string): Promise<Types.ObjectId> {
    const stream = bucket.openUploadStream(`${photo._id}-${kind}`, { metadata: { photo: photo._id, kind, contentType, courtyard: photo.courtyard } });
    await pipeline(Readable.from([data]), stream);
    return stream.id as Types.ObjectId;
  }

  async function finish(photo: PhotoDoc, status: 'refused' | 'failed', reason: string): Promise<void> {
    await models.Photo.updateOne({ _id: photo._id, status: 'pending' }, { $set: { status, reason }, $unset: { url: 1, leaseUntil: 1 } });
    log.info({ photo: String(photo._id), msgKey: photo.msgKey, status }, `photo not kept: ${reason}`);
  }

  /** Once every picture of the message is settled: one message naming those not kept. */
  async function tell(msgKey: string): Promise<void> {
    const all = await models.Photo.find({ msgKey }, { item: 1, status: 1, reason: 1, notify: 1 }).sort({ item: 1 }).lean();
    if (all.some((p) => p.status === 'pending')) return;
    const lost = all.filter((p) => p.status === 'refused' || p.status === 'failed');
    const notify = all.find((p) => p.notify)?.notify;
    if (!lost.length || !notify || !deps.outbox) return;
    const lines = lost.map((p) => `- ${all.length > 1 ? `第 ${p.item + 1} 张：` : ''}${p.reason}`);
    const kept = all.length - lost.length;
    const content = [`⚠️ ${lost.length} 张照片没有保存${kept ? `（另 ${kept} 张已保存）` : ''}：`, ...lines].join('\n');
    await deps.outbox.enqueue({ dedupeKey: `photos:${msgKey}`, target: notify as Parameters<Outbox['enqueue']>[0]['target'], payload: { type: 'markdown', content } });
  }

  async function processOne(photo: PhotoDoc): Promise<void> {
    const url = photo.url;
    if (!url) return finish(photo, 'failed', '图片链接缺失');
    let data: Buffer;
    try {
      data = await deps.media.download(url, { encrypted: Boolean(photo.encrypted), maxBytes: config.photos.maxBytes, timeoutMs });
    } catch (err) {
      if (err instanceof MediaError && err.code === 'E_MEDIA_TOO_LARGE') return finish(photo, 'refused', `图片超过 ${Math.round(config.photos.maxBytes / 1024 / 1024)} MB，未保存`);
      if (err instanceof MediaError && err.code === 'E_MEDIA_DECRYPT') return finish(photo, 'refused', '图片无法解密（不是企业微信发来的图片？）');
      if (err instanceof MediaError) return finish(photo, 'failed', '图片链接已过期，请重新发送');
      if (err instanceof OutboundRefusedError) return finish(photo, 'refused', '图片链接不是企业微信的地址，未下载');
      const attempt = photo.attempts ?? 1;
      if (attempt > retries.length) return finish(photo, 'failed', '企业微信多次未能提供图片，请重新发送');
      const wait = retries[attempt - 1]!;
      log.warn({ err, photo: String(photo._id), attempt }, `photo download failed; retrying in ${wait} ms`);
      await models.Photo.updateOne({ _id: photo._id, status: 'pending' }, { $set: { leaseUntil: new Date(clock() + wait) } });
      later(wait, kick);
      return;
    }
    if (data.length > config.photos.maxBytes) return finish(photo, 'refused', `图片超过 ${Math.round(config.photos.maxBytes / 1024 / 1024)} MB，未保存`);
    let prepared;
    try {
      prepared = await preparePhoto(data);
    } catch (err) {
      if (err instanceof NotAPhotoError) return finish(photo, 'refused', err.message);
      throw err;
    }
    const bytes = prepared.image.length + prepared.thumb.length;
    if (config.photos.quotaBytes > 0 && (await usedBytes(photo.courtyard)) + bytes > config.photos.quotaBytes) {
      return finish(photo, 'refused', `本楼院的照片存储已满（${Math.round(config.photos.quotaBytes / 1024 / 1024)} MB），请联系管理员`);
    }
    const fileId = await upload(photo, 'image', prepared.image, prepared.type);
    const thumbId = await upload(photo, 'thumb', prepared.thumb, 'image/jpeg');
    const stored = await models.Photo.updateOne(
      { _id: photo._id, status: 'pending' },
      {
        $set: { status: 'stored', fileId, thumbId, contentType: prepared.type, bytes, width: prepared.width, height: prepared.height, takenAt: prepared.takenAt, storedAt: new Date(clock()) },
        $unset: { url: 1, leaseUntil: 1 },
      },
    );
    if (stored.modifiedCount === 0) {
      // Another process settled it meanwhile (its lease had run out): keep one copy, theirs.
      await Promise.all([bucket.delete(fileId), bucket.delete(thumbId)]).catch(() => {});
    }
  }

  async function run(): Promise<void> {
    do {
      again = false;
      for (let photo = await claim(); photo && !stopped; photo = await claim()) {
        try {
          await processOne(photo);
        } catch (err) {
          log.error({ err, photo: String(photo._id) }, 'photo could not be processed; retried when its lease runs out');
        }
        await tell(photo.msgKey).catch((err: unknown) => log.warn({ err }, 'could not queue the photo notice'));
      }
    } while (again && !stopped);
  }

  function kick(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = run()
      .catch((err: unknown) => log.error({ err }, 'photo intake stopped; it resumes on the next message or timer'))
      .finally(() => {
        running = null;
      });
  }

  async function sweepExpired(): Promise<number> {
    const days = config.photos.retentionDays;
    if (days <= 0) return 0;
    const before = new Date(clock() - days * 86_400_000);
    let n = 0;
    for (;;) {
      const old = await models.Photo.find({ at: { $lt: before }, status: { $ne: 'pending' } }, { fileId: 1, thumbId: 1 }).limit(200).lean();
      if (!old.length) return n;
      for (const p of old) {
        for (const id of [p.fileId, p.thumbId]) if (id) await bucket.delete(id).catch(() => {});
        await models.Photo.deleteOne({ _id: p._id });
        n++;
      }
    }
  }

  let interval: NodeJS.Timeout | undefined;
  let sweeper: NodeJS.Timeout | undefined;
  return {
    kick,
    async idle() {
      for (;;) {
        while (running) await running;
        if (timers.size > 0 && !stopped) {
          // A retry of this process is due soon.
          await new Promise((resolve) => setTimeout(resolve, 10));
          continue;
        }
        const due = await models.Photo.exists({ status: 'pending', leaseUntil: { $lte: new Date(clock()) } });
        if (!due || stopped) return;
        kick();
      }
    },
    start(everyMs = 15_000) {
      interval = setInterval(kick, everyMs);
      interval.unref();
      const sweep = () => void sweepExpired().then((n) => n && log.info({ deleted: n }, 'photos past PHOTO_RETENTION_DAYS deleted'), (err: unknown) => log.warn({ err }, 'photo retention sweep failed'));
      sweeper = setInterval(sweep, 3_600_000);
      sweeper.unref();
      sweep();
      kick();
    },
    async stop() {
      stopped = true;
      clearInterval(interval);
      clearInterval(sweeper);
      for (const t of timers) clearTimeout(t);
      await running;
    },
    sweepExpired,
  };
}
