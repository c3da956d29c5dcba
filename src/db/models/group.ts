import { Schema, type Connection, type HydratedDocument, type Types, type InferSchemaType, type Model } from 'mongoose';

/** A WeCom group chat the bot is in; `/绑定` gives it a scope and a purpose. */
const groupSchema = new Schema(
  {
    chatId: { type: String, required: true, unique: true },
    name: { type: String },
    /** Push-robot webhook URL (with its key): from the group robot callback, or given to /绑定. */
    webhookUrl: { type: String },
    /** Set when WeCom called the webhook invalid (93000 etc.); pushes stop until rebound. */
    webhookInvalidAt: { type: Date },
    /** Which channel the group was last heard on. */
    channel: { type: String, enum: ['aibot', 'bot', 'app'] },
    /** Bound scope: a whole district, a street office, or one courtyard. */
    scope: {
      kind: { type: String, enum: ['district', 'street', 'courtyard'] },
      /** ObjectId of the street office or courtyard (absent for the district). */
      refId: { type: Schema.Types.ObjectId },
    },
    /** work: a courtyard's or street's work group; leadership: 区领导群 / 重点领导干部群. */
    purpose: { type: String, enum: ['work', 'leadership'] },
    boundBy: { type: String },
    boundAt: { type: Date },
    active: { type: Boolean, default: true },
    /** Dashboard links carry the generation they were issued in; `/看板 重置` raises it, which voids every earlier link of the group. */
    linkGeneration: { type: Number, default: 0 },
    firstSeenAt: { type: Date, default: () => new Date() },
  },
  { timestamps: true },
);
groupSchema.index({ 'scope.kind': 1, 'scope.refId': 1, purpose: 1 });

export type Group = InferSchemaType<typeof groupSchema>;
export type GroupDoc = HydratedDocument<Group>;
/** A group as read without a document around it (the ingress's upsert returns this). */
export type GroupRecord = Group & { _id: Types.ObjectId };
export type GroupModel = Model<Group>;

export function groupModel(conn: Connection): GroupModel {
  return (conn.models.Group as GroupModel | undefined) ?? conn.model<Group>('Group', groupSchema);
}
