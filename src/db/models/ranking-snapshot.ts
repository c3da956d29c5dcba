import { Schema, type Connection, type HydratedDocument, type Model, type Types } from 'mongoose';
import { recordChangedBy } from './changed-by';

/** What a published row holds; one per street, courtyard, cadre (and, monthly, per street's inspection score). */
export interface SnapshotRow {
  level: 'street' | 'courtyard' | 'cadre' | 'inspection';
  /** ObjectId (hex) of the street, courtyard or cadre. */
  id: string;
  name: string;
  streetId?: string;
  streetName?: string;
  unit?: string;
  /** A cadre's courtyards in the period. */
  courtyardIds?: string[];
  /** 0–100, one decimal; null: nothing measured (无数据). */
  score: number | null;
  /** Each part 0–100, null where nothing was measured (—（本期无）); empty for inspection rows. */
  parts: Record<string, number | null>;
  unmeasured: string[];
  noProjects?: boolean;
  /** Rank across the district. */
  rank: number;
  /** Late at the period's end, by kind. */
  overdue: { project: number; request: number; milestone: number; total: number };
  /** Inspection rows: how many scored. */
  scorers?: number;
}

/**
 * A published ranking (周排名, 月度排名): written once when the weekly or monthly push (or a
 * real `/推送`) publishes a period, never changed. A correction is a new version of the same
 * period (`/推送 重新发布`, audited, with its reason); the old versions stay readable.
 * `/排名 上周`, the arrows of the next publication, the dashboard's headline and the Excel's
 * last-week columns read these, never a recomputation. (kind, periodStart, version) is
 * unique: of two processes publishing a period at once, one insert wins.
 */
export interface RankingSnapshot {
  _id: Types.ObjectId;
  kind: 'week' | 'month';
  periodStart: Date;
  periodEnd: Date;
  /** '2020年9月21日–9月27日', '2020年9月'. */
  label: string;
  /** 1 for the first publication of the period. */
  version: number;
  /** When it was published. */
  publishedAt: Date;
  /** The instant it was judged at: the period's end. */
  asOf: Date;
  weights: Record<string, number>;
  rows: SnapshotRow[];
  /** The published snapshot its ↑↓ compare with (the latest version of the last period published before); null on a deployment's first. */
  previous: Types.ObjectId | null;
  /** 'weekly-ranking', 'monthly-inspection', or the WeCom userid of who (re)published it. */
  by: string;
  byName?: string;
  /** Why a period was published again. */
  reason?: string;
  createdAt: Date;
  /** The message that re-published it (a retry finds this record). */
  msgId?: string;
}

const snapshotSchema = new Schema<RankingSnapshot>(
  {
    kind: { type: String, enum: ['week', 'month'], required: true },
    periodStart: { type: Date, required: true },
    periodEnd: { type: Date, required: true },
    label: { type: String, required: true },
    version: { type: Number, required: true, min: 1 },
    publishedAt: { type: Date, required: true },
    asOf: { type: Date, required: true },
    weights: { type: Schema.Types.Mixed, required: true },
    rows: { type: Schema.Types.Mixed, default: () => [] },
    previous: { type: Schema.Types.ObjectId, default: null },
    by: { type: String, required: true },
    byName: { type: String },
    reason: { type: String },
    createdAt: { type: Date, required: true },
    msgId: { type: String },
  },
  { versionKey: false, minimize: false },
);
snapshotSchema.index({ kind: 1, periodStart: 1, version: 1 }, { unique: true });
snapshotSchema.index({ msgId: 1 }, { unique: true, sparse: true });

// Published is final: the app never updates a snapshot in place.
snapshotSchema.pre(['updateOne', 'updateMany', 'findOneAndUpdate', 'replaceOne', 'findOneAndReplace'], function refuse() {
  throw new Error('a published ranking is never changed: publish a new version (src/services/snapshots.ts)');
});

export type RankingSnapshotDoc = HydratedDocument<RankingSnapshot>;
export type RankingSnapshotModel = Model<RankingSnapshot>;

recordChangedBy(snapshotSchema);

export function rankingSnapshotModel(conn: Connection): RankingSnapshotModel {
  return (conn.models.RankingSnapshot as RankingSnapshotModel | undefined) ?? conn.model<RankingSnapshot>('RankingSnapshot', snapshotSchema);
}
