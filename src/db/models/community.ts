import { Schema, type Connection, type HydratedDocument, type InferSchemaType, type Model } from 'mongoose';
import { recordChangedBy } from './changed-by';

/** A community (社区) of a street office. Natural key: (street, name). */
const communitySchema = new Schema(
  {
    name: { type: String, required: true, trim: true },
    aliases: { type: [String], default: [] },
    street: { type: Schema.Types.ObjectId, ref: 'Street', required: true },
  },
  { timestamps: true },
);
communitySchema.index({ street: 1, name: 1 }, { unique: true });
communitySchema.index({ name: 1 });

export type Community = InferSchemaType<typeof communitySchema>;
export type CommunityDoc = HydratedDocument<Community>;
export type CommunityModel = Model<Community>;

recordChangedBy(communitySchema);

export function communityModel(conn: Connection): CommunityModel {
  return (conn.models.Community as CommunityModel | undefined) ?? conn.model<Community>('Community', communitySchema);
}
