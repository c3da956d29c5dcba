import { Schema, type Connection, type HydratedDocument, type InferSchemaType, type Model } from 'mongoose';

/** The records a photo can belong to: what /进度, /下沉, /反馈 · /办结 and /项目 新建 (or /照片) made. */
export const PHOTO_RECORD_KINDS = ['ProgressReport', 'Visit', 'ResidentRequest', 'Project'] as const;
export type PhotoRecordKind = (typeof PHOTO_RECORD_KINDS)[number];

/**
 * pending: its link is known, the download is to come (claimed by `leaseUntil`); stored: the
 * picture and its thumbnail are in GridFS (bucket `photos`); refused: it was not a picture
 * the bot keeps (not JPEG/PNG/WebP, too large, over the courtyard's quota); failed: WeCom
 * did not give it before the link expired.
 */
export const PHOTO_STATUSES = ['pending', 'stored', 'refused', 'failed'] as const;

const targetSchema = new Schema(
  {
    kind: { type: String, enum: ['webhook', 'response_url', 'app'], required: true },
    url: { type: String },
    toUser: { type: String },
  },
  { _id: false },
);

/**
 * One picture sent in a chat, tied to the record it documents and to that record's
 * courtyard (and project, if any). Created when the message is answered, downloaded after.
 */
const photoSchema = new Schema({
  /** `<channel>:<msgId>` of the message that carried it, and its place in that message: a retried callback adds nothing. */
  msgKey: { type: String, required: true },
  item: { type: Number, required: true },
  courtyard: { type: Schema.Types.ObjectId, ref: 'Courtyard', required: true },
  project: { type: Schema.Types.ObjectId, ref: 'Project' },
  record: {
    kind: { type: String, enum: PHOTO_RECORD_KINDS, required: true },
    id: { type: Schema.Types.ObjectId, required: true },
  },
  userId: { type: String, required: true },
  chatId: { type: String, required: true },
  /** When the message came. */
  at: { type: Date, required: true },
  status: { type: String, enum: PHOTO_STATUSES, required: true },
  /** pending only: WeCom's link (valid 5 minutes; removed once used), and whether it is encrypted. */
  url: { type: String },
  encrypted: { type: Boolean, default: false },
  /** pending only: a download runs until then; past it another process may take it. */
  leaseUntil: { type: Date },
  attempts: { type: Number, default: 0 },
  /** Where to say that a picture could not be kept (the reply already went). */
  notify: { type: targetSchema },
  /** refused / failed: why, in Chinese, as told to the sender. */
  reason: { type: String },
  /** stored: GridFS ids of the picture (EXIF removed but the capture time) and of its thumbnail. */
  fileId: { type: Schema.Types.ObjectId },
  thumbId: { type: Schema.Types.ObjectId },
  contentType: { type: String },
  /** stored: bytes of picture and thumbnail together (what the courtyard's quota counts). */
  bytes: { type: Number, default: 0 },
  width: { type: Number },
  height: { type: Number },
  /** EXIF DateTimeOriginal, when the camera recorded one. */
  takenAt: { type: Date },
  storedAt: { type: Date },
});
photoSchema.index({ msgKey: 1, item: 1 }, { unique: true });
photoSchema.index({ status: 1, leaseUntil: 1 });
photoSchema.index({ courtyard: 1, status: 1, at: 1 });
photoSchema.index({ project: 1, at: 1 });
photoSchema.index({ 'record.id': 1 });

export type Photo = InferSchemaType<typeof photoSchema>;
export type PhotoDoc = HydratedDocument<Photo>;
export type PhotoModel = Model<Photo>;

export function photoModel(conn: Connection): PhotoModel {
  return (conn.models.Photo as PhotoModel | undefined) ?? conn.model<Photo>('Photo', photoSchema);
}

/**
 * Where a sender's next picture goes after /照片 #12 (`once`: the next picture only, for 10
 * minutes). One per sender and chat. (A record a command made takes the pictures through the
 * message's claim instead: processed-message.ts `attach`; rows with `once` false are from
 * before, read until they expire.)
 */
const photoWindowSchema = new Schema({
  chatId: { type: String, required: true },
  userId: { type: String, required: true },
  courtyard: { type: Schema.Types.ObjectId, ref: 'Courtyard', required: true },
  project: { type: Schema.Types.ObjectId, ref: 'Project' },
  record: {
    kind: { type: String, enum: PHOTO_RECORD_KINDS, required: true },
    id: { type: Schema.Types.ObjectId, required: true },
  },
  /** How the reply names the record: `#12 路面硬化`. */
  label: { type: String, default: '' },
  once: { type: Boolean, default: false },
  /** A picture took it; kept until `until`, so that an older report's attachment stays replaced. */
  taken: { type: Boolean, default: false },
  until: { type: Date, required: true },
});
// One per sender and chat, overwritten by the next: no expiry needed (it is read with `until > now`).
photoWindowSchema.index({ chatId: 1, userId: 1 }, { unique: true });

export type PhotoWindow = InferSchemaType<typeof photoWindowSchema>;
export type PhotoWindowModel = Model<PhotoWindow>;

export function photoWindowModel(conn: Connection): PhotoWindowModel {
  return (conn.models.PhotoWindow as PhotoWindowModel | undefined) ?? conn.model<PhotoWindow>('PhotoWindow', photoWindowSchema);
}
