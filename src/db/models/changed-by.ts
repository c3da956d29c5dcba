import { Schema } from 'mongoose';

/** Who wrote a record last: set by every audited write (src/services/audit.ts). */
export interface ChangedBy {
  /** WeCom userid ('import' for the roster import). */
  actor: string;
  actorName?: string;
  at: Date;
}

const changedBySchema = new Schema<ChangedBy>(
  {
    actor: { type: String, required: true },
    actorName: { type: String },
    at: { type: Date, required: true },
  },
  { _id: false },
);

/**
 * Gives an audited model's records the `changedBy` path. It lands in the same write as the
 * change, so the loser of a race can name the winner from the record alone (the audit
 * entries of a message are written after its command ran).
 */
export function recordChangedBy(schema: Schema): void {
  schema.add({ changedBy: { type: changedBySchema, default: undefined } });
}
