import { Schema, type Connection, type HydratedDocument, type InferSchemaType, type Model } from 'mongoose';
import { recordChangedBy } from './changed-by';

/** 工程类 (engineering), 管理类 (management), 服务类 (services). */
export const PROJECT_CATEGORIES = ['工程', '管理', '服务'] as const;
/** The five task areas: 卫生整治, 美化环境, 规范秩序, 维护安全, 提升文明素养. */
export const TASK_AREAS = ['卫生', '环境', '秩序', '安全', '文明'] as const;
/** 已延期: postponed, still open with a later deadline; 已取消: dropped, counts nowhere from its cancellation on (src/services/counted.ts). */
export const PROJECT_STATUSES = ['进行中', '已延期', '已完成', '已取消'] as const;
/** Statuses of a project that is still to be done (the overdue query filters on these). */
export const OPEN_PROJECT_STATUSES = ['进行中', '已延期'] as const;

export type ProjectCategory = (typeof PROJECT_CATEGORIES)[number];
export type TaskArea = (typeof TASK_AREAS)[number];
export type ProjectStatus = (typeof PROJECT_STATUSES)[number];

const postponementSchema = new Schema(
  {
    from: { type: Date, required: true },
    to: { type: Date, required: true },
    reason: { type: String, required: true },
    /** WeCom userid of who postponed it. */
    by: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { _id: false },
);

/** One field changed by `/项目 修改`: the values as shown then (names, not ids), who and when. */
const editSchema = new Schema(
  {
    /** The field's Chinese label: 标题, 标准, 责任人, 类别, 领域, 楼院. */
    field: { type: String, required: true },
    from: { type: String, default: '' },
    to: { type: String, default: '' },
    /** WeCom userid of who changed it. */
    by: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { _id: false },
);

/**
 * A fix-up project (整治项目), published with its content, standard, owner and deadline.
 * `no` is the number users type (`#12`), from the 'project' sequence.
 *
 * Dates: `deadline` is a calendar day, stored as 00:00 Beijing time of that day; a project is
 * late once the Beijing day is after it: `deadline < startOfBeijingDay(now)`
 * (src/services/beijing-time.ts). `street` is copied from the courtyard so that per-street
 * queries need no join.
 */
const projectSchema = new Schema({
  no: { type: Number, required: true },
  courtyard: { type: Schema.Types.ObjectId, ref: 'Courtyard', required: true },
  street: { type: Schema.Types.ObjectId, ref: 'Street', required: true },
  category: { type: String, enum: PROJECT_CATEGORIES, required: true },
  area: { type: String, enum: TASK_AREAS },
  title: { type: String, required: true, trim: true },
  /** 整治标准: what done means. */
  standard: { type: String, default: '' },
  /** 责任人: the cadre answering for it. */
  owner: { type: Schema.Types.ObjectId, ref: 'Cadre' },
  deadline: { type: Date },
  percent: { type: Number, min: 0, max: 100, default: 0, required: true },
  status: { type: String, enum: PROJECT_STATUSES, default: '进行中', required: true },
  postponements: { type: [postponementSchema], default: [] },
  completedAt: { type: Date },
  /** WeCom userid of who completed it (/项目 完成, /进度 100%). */
  completedBy: { type: String },
  /** Every /项目 修改, oldest first. */
  edits: { type: [editSchema], default: [] },
  /**
   * /项目 取消: from `cancelledAt` on the project counts nowhere (scores, figures, overdue);
   * before it, a view of that time counts it as it stood (src/services/counted.ts).
   */
  cancelledAt: { type: Date },
  /** WeCom userid of who cancelled it. */
  cancelledBy: { type: String },
  cancelReason: { type: String },
  /** When progress was last reported (/进度). */
  lastReportAt: { type: Date },
  /** WeCom userid of the creator. */
  createdBy: { type: String },
  createdAt: { type: Date, required: true },
  /** The message that created it: a retry of that message finds this record instead of making another. */
  msgId: { type: String },
});
projectSchema.index({ no: 1 }, { unique: true });
projectSchema.index({ msgId: 1 }, { unique: true, sparse: true });
projectSchema.index({ courtyard: 1, status: 1 });
// One open project of a title per courtyard: two /项目 新建 sent at once cannot both publish it.
// (A partial filter with $in needs MongoDB 6.0 or later.)
projectSchema.index({ courtyard: 1, title: 1 }, { unique: true, partialFilterExpression: { status: { $in: [...OPEN_PROJECT_STATUSES] } } });
projectSchema.index({ street: 1, status: 1, deadline: 1 });
projectSchema.index({ status: 1, deadline: 1 });
projectSchema.index({ owner: 1, status: 1 });
projectSchema.index({ street: 1, status: 1, completedAt: 1 });

export type Project = InferSchemaType<typeof projectSchema>;
export type ProjectDoc = HydratedDocument<Project>;
export type ProjectModel = Model<Project>;

recordChangedBy(projectSchema);

export function projectModel(conn: Connection): ProjectModel {
  return (conn.models.Project as ProjectModel | undefined) ?? conn.model<Project>('Project', projectSchema);
}
