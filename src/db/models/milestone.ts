import { Schema, type Connection, type HydratedDocument, type InferSchemaType, type Model } from 'mongoose';
import { recordChangedBy } from './changed-by';

const milestoneScopeSchema = new Schema(
  {
    kind: { type: String, enum: ['district', 'street', 'courtyard'] as const, default: 'district', required: true },
    /** The street office or courtyard, for those kinds. */
    refId: { type: Schema.Types.ObjectId },
  },
  { _id: false },
);

const milestoneDoneSchema = new Schema(
  {
    courtyard: { type: Schema.Types.ObjectId, ref: 'Courtyard', required: true },
    at: { type: Date, required: true },
    /** WeCom userid of who ticked it off. */
    by: { type: String },
  },
  { _id: false },
);

/**
 * A phase deadline (挂图作战), e.g. 8月10日前 党组织全覆盖, set by an admin for a scope; each
 * courtyard of the scope is tracked against it (`done` lists those finished).
 * `deadline` is a calendar day at 00:00 Beijing time, like a project's.
 */
const milestoneSchema = new Schema({
  title: { type: String, required: true, trim: true },
  deadline: { type: Date, required: true },
  scope: { type: milestoneScopeSchema, required: true, default: () => ({}) },
  done: { type: [milestoneDoneSchema], default: [] },
  createdBy: { type: String },
  createdAt: { type: Date, required: true },
  msgId: { type: String },
});
milestoneSchema.index({ msgId: 1 }, { unique: true, sparse: true });
milestoneSchema.index({ deadline: 1 });
milestoneSchema.index({ 'scope.kind': 1, 'scope.refId': 1 });
// One milestone of a title per scope: two /节点 新建 sent at once cannot both set it.
milestoneSchema.index({ title: 1, 'scope.kind': 1, 'scope.refId': 1 }, { unique: true });

export type Milestone = InferSchemaType<typeof milestoneSchema>;
export type MilestoneDoc = HydratedDocument<Milestone>;
export type MilestoneModel = Model<Milestone>;

recordChangedBy(milestoneSchema);

export function milestoneModel(conn: Connection): MilestoneModel {
  return (conn.models.Milestone as MilestoneModel | undefined) ?? conn.model<Milestone>('Milestone', milestoneSchema);
}
