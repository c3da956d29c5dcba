import { Schema, type Connection, type HydratedDocument, type InferSchemaType, type Model } from 'mongoose';
import { recordChangedBy } from './changed-by';

/**
 * The 四联单 steps: 居民点单 (logged) › 干部接单 (taken) › 反馈 (feedback given) › 办结 (closed);
 * the resident's rating (群众评单) is `rating`, given once closed.
 */
export const REQUEST_STATUSES = ['点单', '已接单', '已反馈', '已办结', '已作废'] as const;
/**
 * Statuses of the requests that count (every figure, rate, score and overdue list): all but
 * 已作废, a duplicate or spam voided by an admin (/诉求 作废), which never counted.
 */
export const COUNTED_REQUEST_STATUSES = ['点单', '已接单', '已反馈', '已办结'] as const;
/** Statuses still waiting for feedback (the 2-working-day rule applies to these). */
export const UNANSWERED_REQUEST_STATUSES = ['点单', '已接单'] as const;
export const RATINGS = ['满意', '基本满意', '不满意'] as const;
/** Categories a resident picks on the public board (src/board); all the public sees of a request besides its status. */
export const REQUEST_CATEGORIES = ['环境卫生', '设施维修', '停车秩序', '安全隐患', '邻里关系', '其他'] as const;
export type RequestCategory = (typeof REQUEST_CATEGORIES)[number];

export type RequestStatus = (typeof REQUEST_STATUSES)[number];
export type Rating = (typeof RATINGS)[number];

/**
 * A resident request (民情诉求), numbered `#7` from the 'request' sequence. Feedback is due
 * within 2 working days: `dueAt` is the last millisecond of the 2nd working day after
 * `createdAt` (calendar.dueAfterWorkingDays); late when unanswered and `now > dueAt`.
 */
const residentRequestSchema = new Schema({
  no: { type: Number, required: true },
  courtyard: { type: Schema.Types.ObjectId, ref: 'Courtyard', required: true },
  street: { type: Schema.Types.ObjectId, ref: 'Street', required: true },
  text: { type: String, required: true },
  /** Who logged it (a resident, or a cadre on a resident's behalf). */
  reporter: {
    type: new Schema({ userId: { type: String, required: true }, name: { type: String } }, { _id: false }),
    required: true,
  },
  status: { type: String, enum: REQUEST_STATUSES, default: '点单', required: true },
  /** The cadre who took it (/接单). */
  assignee: { type: Schema.Types.ObjectId, ref: 'Cadre' },
  createdAt: { type: Date, required: true },
  dueAt: { type: Date, required: true },
  acceptedAt: { type: Date },
  /** The first feedback (or the closing, when closed at once): what the 2-working-day rule measures. */
  feedbackAt: { type: Date },
  /** The latest feedback's text. */
  feedback: { type: String },
  /** Every feedback given (/反馈 may be given more than once), oldest first. */
  feedbacks: {
    type: [new Schema({ text: { type: String, required: true }, at: { type: Date, required: true }, by: { type: String, required: true }, byName: { type: String } }, { _id: false })],
    default: [],
  },
  closedAt: { type: Date },
  /** WeCom userid of who closed it (/办结). */
  closedBy: { type: String },
  resolution: { type: String },
  rating: { type: String, enum: RATINGS },
  /** What the resident said with the rating. */
  ratingNote: { type: String },
  ratedAt: { type: Date },
  /** WeCom userid of who rated it. */
  ratedBy: { type: String },
  /** Every /诉求 转派, oldest first: who had it and where it was, before and after. */
  transfers: {
    type: [
      new Schema(
        {
          at: { type: Date, required: true },
          by: { type: String, required: true },
          fromAssignee: { type: Schema.Types.ObjectId, ref: 'Cadre' },
          toAssignee: { type: Schema.Types.ObjectId, ref: 'Cadre' },
          fromCourtyard: { type: Schema.Types.ObjectId, ref: 'Courtyard', required: true },
          toCourtyard: { type: Schema.Types.ObjectId, ref: 'Courtyard', required: true },
        },
        { _id: false },
      ),
    ],
    default: [],
  },
  /** /诉求 作废: when, by whom (WeCom userid), why, and the status it had. */
  voidedAt: { type: Date },
  voidedBy: { type: String },
  voidReason: { type: String },
  voidedFrom: { type: String, enum: REQUEST_STATUSES },
  msgId: { type: String },
  /** Chosen by the resident on the public board; absent for requests logged in chat. */
  category: { type: String, enum: REQUEST_CATEGORIES },
  /** 'board': submitted by a resident on the courtyard's public board (src/board). */
  source: { type: String, enum: ['chat', 'board'] },
  /** The phone number a board submitter left for the reply: never shown on the board or its data API. */
  contactPhone: { type: String },
});
residentRequestSchema.index({ no: 1 }, { unique: true });
residentRequestSchema.index({ msgId: 1 }, { unique: true, sparse: true });
residentRequestSchema.index({ street: 1, status: 1, dueAt: 1 });
residentRequestSchema.index({ courtyard: 1, status: 1 });
residentRequestSchema.index({ status: 1, dueAt: 1 });
residentRequestSchema.index({ assignee: 1, status: 1 });
residentRequestSchema.index({ street: 1, createdAt: 1 });

export type ResidentRequest = InferSchemaType<typeof residentRequestSchema>;
export type ResidentRequestDoc = HydratedDocument<ResidentRequest>;
export type ResidentRequestModel = Model<ResidentRequest>;

recordChangedBy(residentRequestSchema);

export function residentRequestModel(conn: Connection): ResidentRequestModel {
  return (
    (conn.models.ResidentRequest as ResidentRequestModel | undefined) ??
    conn.model<ResidentRequest>('ResidentRequest', residentRequestSchema)
  );
}
