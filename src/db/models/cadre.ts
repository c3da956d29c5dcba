import { Schema, type Connection, type HydratedDocument, type InferSchemaType, type Model } from 'mongoose';
import { countWrites } from './writes';
import { recordChangedBy } from './changed-by';

/**
 * cadre: an assigned cadre (分包干部) of the courtyards in `courtyards`;
 * admin: runs the campaign in `scope` (binds groups, creates projects);
 * leader: reads and scores in `scope` (评分, 导出).
 */
export const ROLES = ['cadre', 'admin', 'leader'] as const;
export type Role = (typeof ROLES)[number];

/** Where an admin's or leader's role applies: the whole district or one street office. */
const roleScopeSchema = new Schema(
  {
    kind: { type: String, enum: ['district', 'street'] as const, default: 'district', required: true },
    /** The street office, for kind 'street'. */
    refId: { type: Schema.Types.ObjectId, ref: 'Street' },
  },
  { _id: false },
);

/**
 * One stretch of a cadre's assignment to a courtyard: from `from` until `to` (open while
 * null). Written with `courtyards` in the same update (src/services/history.ts), so the two
 * never disagree; a past period reads who was assigned where then.
 */
const assignmentSchema = new Schema(
  {
    courtyard: { type: Schema.Types.ObjectId, ref: 'Courtyard', required: true },
    from: { type: Date, required: true },
    to: { type: Date, default: null },
  },
  { _id: false },
);

/**
 * A person on the roster (花名册): an assigned cadre, an admin or a leader. Natural key:
 * (name, unit). `userId` is the WeCom userid, from the roster import or linked by /登记.
 */
const cadreSchema = new Schema(
  {
    name: { type: String, required: true, trim: true },
    /** 单位, e.g. 区医保局. */
    unit: { type: String, required: true, trim: true },
    mobile: { type: String, trim: true },
    userId: { type: String, trim: true },
    /**
     * Where `userId` came from. 'register' (/登记) never carries admin or leader rights:
     * those need the userid in the roster, or ADMIN_USERIDS.
     */
    userIdSource: { type: String, enum: ['roster', 'register'] as const },
    linkedAt: { type: Date },
    /** The courtyards this cadre is assigned to (分包楼院). */
    courtyards: { type: [{ type: Schema.Types.ObjectId, ref: 'Courtyard' }], default: [] },
    /**
     * The dated history of `courtyards` (see assignmentSchema). Empty for an entry made
     * before history was kept: it counts as assigned to `courtyards` all along.
     */
    assignments: { type: [assignmentSchema], default: [] },
    roles: { type: [{ type: String, enum: ROLES }], default: ['cadre'] },
    /** Scope of the admin and leader roles. */
    scope: { type: roleScopeSchema, required: true, default: () => ({}) },
    active: { type: Boolean, default: true, required: true },
    /** When `active` became false (the roster import's --remove-missing); see src/services/on-roster.ts. */
    deactivatedAt: { type: Date },
  },
  { timestamps: true },
);
cadreSchema.index({ name: 1, unit: 1 }, { unique: true });
cadreSchema.index({ userId: 1 }, { unique: true, sparse: true });
cadreSchema.index({ courtyards: 1 });
cadreSchema.index({ 'assignments.courtyard': 1 });

// The caller cache (src/services/caller.ts) drops what it read before a local write.
countWrites(cadreSchema, 'Cadre');

export type Cadre = InferSchemaType<typeof cadreSchema>;
export type CadreDoc = HydratedDocument<Cadre>;
export type CadreModel = Model<Cadre>;

recordChangedBy(cadreSchema);

export function cadreModel(conn: Connection): CadreModel {
  return (conn.models.Cadre as CadreModel | undefined) ?? conn.model<Cadre>('Cadre', cadreSchema);
}
