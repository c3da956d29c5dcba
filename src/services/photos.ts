/**
 * Photo evidence: pictures sent with a report are tied to the record the report made, and to
 * its courtyard (and project). A picture comes in a mixed message (text and pictures: the
 * command's record takes them), alone within 10 minutes after such a record (same sender,
 * same chat: the message's claim keeps the record, see takePhotoWindow), or after `/照片 #12`
 * (the next picture goes to project #12).
 *
 * The message is answered at once with how many pictures were taken; the download (they
 * expire in 5 minutes), checks, EXIF removal, thumbnail and GridFS storage follow after the
 * answer (src/services/photo-intake.ts).
 */
import { mongo, Types, type Connection } from 'mongoose';
import { isDuplicateKey } from '../db/duplicate-key';
import type { Models, PhotoRecordKind } from '../db/models';
import { processedMessageModel } from '../db/models/processed-message';
import type { Logged } from './audit';
import type { Attachment, IncomingMessage } from '../wecom/message';
import type { PushTarget } from '../wecom/outbox';

/** A picture sent after a record attaches to it for this long. */
export const PHOTO_WINDOW_MS = 10 * 60_000;
/** The GridFS bucket of pictures and thumbnails (collections photos.files, photos.chunks: in every backup). */
export const PHOTO_BUCKET = 'photos';
/** At most this many pictures of one message are kept. */
export const MAX_PHOTOS_PER_MESSAGE = 9;

/** The commands whose record takes pictures (command paths as the dispatcher names them). */
export const PHOTO_COMMANDS: ReadonlySet<string> = new Set(['/进度', '/下沉', '/反馈', '/办结', '/项目 新建']);

/** What a picture is attached to. */
export interface PhotoTarget {
  courtyard: Types.ObjectId;
  project?: Types.ObjectId;
  record: { kind: PhotoRecordKind; id: Types.ObjectId };
  /** How a reply names it: `#12 路面硬化`, `下沉记录`. */
  label: string;
}

/** The bucket on a connection. */
export function photoBucket(conn: Connection): mongo.GridFSBucket {
  return new mongo.GridFSBucket(conn.db!, { bucketName: PHOTO_BUCKET });
}

/** Which models' records take pictures, in order of preference when a command made several. */
const PREFERENCE: readonly PhotoRecordKind[] = ['ProgressReport', 'Visit', 'ResidentRequest', 'Project'];

/**
 * The record the message `msgKey` made, from its audit entries (every change a command makes
 * is audited under the message's key, so no command needs to say what it made).
 */
export async function photoTargetOf(models: Models, msgKey: string, logged?: readonly Logged[]): Promise<PhotoTarget | null> {
  const entries = logged ?? (await models.AuditEntry.find({ msgId: msgKey, modelName: { $in: PREFERENCE }, undoneAt: { $exists: false } }, { modelName: 1, docId: 1, op: 1 }).lean());
  for (const kind of PREFERENCE) {
    const entry = entries.find((e) => e.modelName === kind && (kind !== 'Project' || e.op === 'create'));
    if (!entry) continue;
    const target = (logged && fromLogged(logged, kind, entry.docId)) || (await targetOfRecord(models, kind, entry.docId));
    if (target) return target;
  }
  return null;
}

/**
 * A progress report's target from what the command just wrote (the report, and the project
 * it updated), without reading them back; undefined when the entries do not say enough.
 */
function fromLogged(logged: readonly Logged[], kind: PhotoRecordKind, id: Types.ObjectId): PhotoTarget | undefined {
  if (kind !== 'ProgressReport') return undefined;
  const r = logged.find((e) => e.modelName === kind && e.docId.equals(id))?.after;
  const projectId = r?.project as Types.ObjectId | undefined;
  if (!r || !projectId || !r.courtyard) return undefined;
  const p = logged.find((e) => e.modelName === 'Project' && e.docId.equals(projectId))?.after;
  if (!p) return undefined;
  return { courtyard: r.courtyard as Types.ObjectId, project: projectId, record: { kind, id }, label: `#${String(p.no)} ${String(p.title)} 的进度（${String(r.percent)}%）` };
}

/** A record as a target, with its courtyard and project; null when it is gone. */
export async function targetOfRecord(models: Models, kind: PhotoRecordKind, id: Types.ObjectId): Promise<PhotoTarget | null> {
  const record = { kind, id };
  if (kind === 'Project') {
    const p = await models.Project.findById(id, { courtyard: 1, no: 1, title: 1 }).lean();
    return p ? { courtyard: p.courtyard, project: p._id, record, label: `#${p.no} ${p.title}` } : null;
  }
  if (kind === 'ProgressReport') {
    const r = await models.ProgressReport.findById(id, { courtyard: 1, project: 1, percent: 1 }).lean();
    if (!r) return null;
    const p = await models.Project.findById(r.project, { no: 1, title: 1 }).lean();
    return { courtyard: r.courtyard, project: r.project, record, label: p ? `#${p.no} ${p.title} 的进度（${r.percent}%）` : '进度报告' };
  }
  if (kind === 'Visit') {
    const v = await models.Visit.findById(id, { courtyard: 1 }).lean();
    return v ? { courtyard: v.courtyard, record, label: '本次下沉记录' } : null;
  }
  const q = await models.ResidentRequest.findById(id, { courtyard: 1, no: 1 }).lean();
  return q ? { courtyard: q.courtyard, record, label: `诉求 #${q.no}` } : null;
}

/**
 * What a reply carries so that the sender's pictures sent alone in this chat go to `target`
 * for 10 minutes: the ingress stores it with the message's claim (no write of its own).
 */
export function photoAttachment(target: PhotoTarget, now: Date): Attachment {
  const { courtyard, project, record, label } = target;
  return { until: new Date(now.getTime() + PHOTO_WINDOW_MS), target: { courtyard, ...(project ? { project } : {}), record, label } };
}

/** Opens (or moves) the sender's window in this chat for `/照片`: the next picture goes to `target`. */
export async function openPhotoWindow(models: Models, msg: Pick<IncomingMessage, 'chatId' | 'sender'>, target: PhotoTarget, now: Date): Promise<void> {
  await models.PhotoWindow.updateOne(
    { chatId: msg.chatId, userId: msg.sender.userId },
    { $set: { courtyard: target.courtyard, project: target.project ?? null, record: target.record, label: target.label, once: true, taken: false, until: new Date(now.getTime() + PHOTO_WINDOW_MS) } },
    { upsert: true },
  );
}

type StoredTarget = Pick<PhotoTarget, 'courtyard' | 'label'> & { project?: Types.ObjectId | null; record?: { kind: string; id: Types.ObjectId } | null };
const asTarget = (t: StoredTarget): PhotoTarget | null =>
  t.record ? { courtyard: t.courtyard, project: t.project ?? undefined, record: { kind: t.record.kind as PhotoRecordKind, id: t.record.id }, label: t.label } : null;

/**
 * The target of a picture sent alone: the newer of the sender's latest record in this chat
 * (the attachment its message's claim keeps for 10 minutes) and a `/照片` window. A `/照片`
 * window is taken by one message, in one conditional write (two pictures at once: one gets
 * it); once taken it still replaces older records until it expires, as it did when it opened.
 */
export async function takePhotoWindow(models: Models, msg: Pick<IncomingMessage, 'chatId' | 'sender'>, now: Date): Promise<PhotoTarget | null> {
  const who = { chatId: msg.chatId, userId: msg.sender.userId };
  const [claim, w] = await Promise.all([
    // The claims are the ingress's bookkeeping, not one of the domain's Models: on the same connection.
    processedMessageModel(models.PhotoWindow.db).findOne({ ...who, 'attach.until': { $gt: now } }, { attach: 1 }).sort({ createdAt: -1 }).lean(),
    models.PhotoWindow.findOne({ ...who, until: { $gt: now } }).lean(),
  ]);
  const attached = claim?.attach;
  if (w && (!attached || w.until >= attached.until)) {
    if (!w.once) return asTarget(w);
    if (w.taken) return null;
    const taken = await models.PhotoWindow.findOneAndUpdate({ ...who, once: true, taken: { $ne: true }, until: { $gt: now } }, { $set: { taken: true } }).lean();
    return taken ? asTarget(taken) : null;
  }
  return attached ? asTarget(attached.target as StoredTarget) : null;
}

/** Where to tell the sender later that a picture could not be kept. */
export function notifyTargetOf(msg: IncomingMessage, groupWebhookUrl?: string | null): PushTarget | undefined {
  if (msg.channel === 'app') return { kind: 'app', toUser: msg.sender.userId };
  if (msg.channel === 'aibot') return msg.responseUrl ? { kind: 'response_url', url: msg.responseUrl } : undefined;
  const url = msg.webhookUrl ?? groupWebhookUrl;
  return url ? { kind: 'webhook', url } : undefined;
}

/**
 * Records the message's pictures as pending downloads for `target`; returns how many it took.
 * Keyed by (message, position): a retried callback, or a second run of the same message,
 * adds nothing.
 */
export async function queuePhotos(models: Models, msg: IncomingMessage, target: PhotoTarget, now: Date, notify?: PushTarget): Promise<number> {
  const images = (msg.images ?? []).slice(0, MAX_PHOTOS_PER_MESSAGE);
  const msgKey = `${msg.channel}:${msg.msgId}`;
  if (!images.length) return 0;
  const docs = images.map((image, item) => ({
    msgKey,
    item,
    courtyard: target.courtyard,
    project: target.project,
    record: target.record,
    userId: msg.sender.userId,
    chatId: msg.chatId,
    at: msg.time < now ? msg.time : now,
    status: 'pending' as const,
    url: image.url,
    encrypted: image.encrypted,
    leaseUntil: new Date(0),
    attempts: 0,
    notify,
    bytes: 0,
  }));
  // One insert; a picture already recorded (the same message run again) is a duplicate key, left as it is.
  await models.Photo.insertMany(docs, { ordered: false, rawResult: true }).catch((err: unknown) => {
    if (!isDuplicateKey(err, { all: true })) throw err;
  });
  return images.length;
}

/** The words after a command's reply: how many pictures were taken, and where they go. */
export function photosLine(count: number, target: PhotoTarget, dropped = 0): string {
  const more = dropped > 0 ? `（每条消息最多 ${MAX_PHOTOS_PER_MESSAGE} 张，其余 ${dropped} 张未保存）` : '';
  return `📷 已保存照片 ${count} 张，关联到 ${target.label}${more}`;
}

/** A project's photos for `/项目 详情`: how many are kept, and where to see them. */
export interface ProjectPhotoSummary {
  count: number;
  /** The first and the latest (整治前 / 整治后), when there are any. */
  first?: Date;
  latest?: Date;
  /**
   * The dashboard path of the project's courtyard card, relative to a dashboard link: open
   * `<dashboard link>` and the card `#courtyard=<id>`; the photos are on its timeline.
   */
  courtyardId: string;
  path: string;
}

/** Count and dashboard path of project `projectId`'s stored photos (null: no such project). */
export async function projectPhotoSummary(models: Models, projectId: Types.ObjectId | string): Promise<ProjectPhotoSummary | null> {
  const id = new Types.ObjectId(String(projectId));
  const project = await models.Project.findById(id, { courtyard: 1 }).lean();
  if (!project) return null;
  const stored = { project: id, status: 'stored' as const };
  const [count, first, latest] = await Promise.all([
    models.Photo.countDocuments(stored),
    models.Photo.findOne(stored, { at: 1 }).sort({ at: 1 }).lean(),
    models.Photo.findOne(stored, { at: 1 }).sort({ at: -1 }).lean(),
  ]);
  const courtyardId = String(project.courtyard);
  return { count, first: first?.at, latest: latest?.at, courtyardId, path: `/dashboard/api/courtyard/${courtyardId}` };
}
