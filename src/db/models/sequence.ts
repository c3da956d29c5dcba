import { Schema, type Connection, type Model } from 'mongoose';

/** A named counter (`_id` 'project', 'request'); see src/services/sequence.ts. */
export interface Sequence {
  _id: string;
  value: number;
}

const sequenceSchema = new Schema<Sequence>(
  {
    _id: { type: String, required: true },
    value: { type: Number, required: true, default: 0 },
  },
  { versionKey: false },
);

export type SequenceModel = Model<Sequence>;

export function sequenceModel(conn: Connection): SequenceModel {
  return (conn.models.Sequence as SequenceModel | undefined) ?? conn.model<Sequence>('Sequence', sequenceSchema);
}
