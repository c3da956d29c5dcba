import { Schema, type Connection, type HydratedDocument, type InferSchemaType, type Model } from 'mongoose';
import { countWrites } from './writes';
import { recordChangedBy } from './changed-by';

/** 无主管楼院: no owning unit, no property company; 老旧小区: an old estate in the same campaign. */
export const COURTYARD_KINDS = ['无主管楼院', '老旧小区'] as const;
/** How the courtyard is run: a property company, self-management, an owners' committee, or nobody. */
export const MANAGEMENT_MODES = ['物业', '自管', '业委会', '无'] as const;
/** Forms the courtyard's party organisation may take (seeds: 004 section 二(一), 001). */
export const PARTY_ORG_KINDS = ['党支部', '党小组', '临时党支部', '功能型党组织'] as const;
/** Forms of the residents' self-governing body (seeds: 004 section 二(二)). */
export const SELF_GOV_KINDS = ['业委会', '自管会', '居民议事会'] as const;
/** Where an organisation stands; coverage (全覆盖) counts 已建 only. */
export const ORG_STATUSES = ['未建', '筹建中', '已建'] as const;

export type PartyOrgKind = (typeof PARTY_ORG_KINDS)[number];
export type SelfGovKind = (typeof SELF_GOV_KINDS)[number];
export type OrgStatus = (typeof ORG_STATUSES)[number];

function orgSchema<K extends readonly string[]>(kinds: K) {
  return new Schema(
    {
      status: { type: String, enum: ORG_STATUSES, default: '未建', required: true },
      /** Which form it takes; set once known, even while 筹建中. */
      kind: { type: String, enum: kinds },
      /** When it was recorded as 已建. */
      builtAt: { type: Date },
    },
    { _id: false },
  );
}

/** The three organisations every courtyard must have (三类组织). */
const orgsSchema = new Schema(
  {
    /** 党组织. */
    party: { type: orgSchema(PARTY_ORG_KINDS), required: true, default: () => ({}) },
    /** 居民自治组织. */
    selfGov: { type: orgSchema(SELF_GOV_KINDS), required: true, default: () => ({}) },
    /** 志愿服务队: how many teams; at least one counts as covered. */
    volunteerTeams: { type: Number, min: 0, default: 0, required: true },
  },
  { _id: false },
);

/** The three organisations as they stood at one moment (a history entry's before and after). */
const orgStateSchema = new Schema(
  {
    party: { status: { type: String, enum: ORG_STATUSES }, kind: { type: String }, builtAt: { type: Date } },
    selfGov: { status: { type: String, enum: ORG_STATUSES }, kind: { type: String }, builtAt: { type: Date } },
    volunteerTeams: { type: Number, min: 0 },
  },
  { _id: false },
);

/** One change of the three organisations (/组织, the roster import), kept so a past period reads what was true then. */
const orgChangeSchema = new Schema(
  {
    at: { type: Date, required: true },
    /** WeCom userid ('import' for the roster import). */
    by: { type: String },
    before: { type: orgStateSchema, required: true },
    after: { type: orgStateSchema, required: true },
  },
  { _id: false },
);

/**
 * A courtyard (楼院): the unit of the campaign. Natural key: (street, name); names are
 * normally unique in a district, and lookups list the street when they are not.
 */
const courtyardSchema = new Schema(
  {
    name: { type: String, required: true, trim: true },
    /** Other names users type (东方花园小区, 东方). */
    aliases: { type: [String], default: [] },
    street: { type: Schema.Types.ObjectId, ref: 'Street', required: true },
    community: { type: Schema.Types.ObjectId, ref: 'Community' },
    households: { type: Number, min: 0 },
    partyMembers: { type: Number, min: 0 },
    kind: { type: String, enum: COURTYARD_KINDS, default: '无主管楼院', required: true },
    management: { type: String, enum: MANAGEMENT_MODES, default: '无', required: true },
    orgs: { type: orgsSchema, required: true, default: () => ({}) },
    /**
     * Every change of `orgs`, oldest first, written in the same update as the change
     * (src/services/history.ts). Empty for a courtyard whose organisations never changed
     * since history was kept: then `orgs` (with each `builtAt`) is all there is.
     */
    orgHistory: { type: [orgChangeSchema], default: [] },
    /**
     * The contact of the residents' self-governing body (自管会, 业委会 …), from the roster
     * (楼院 sheet: 自治组织联系人, 联系人企业微信账号): the WeCom account that records the
     * courtyard's public accounts (/公开) besides its admins. A cadre assigned to the courtyard
     * may not, unless this names them. The name is for replies; it is not shown publicly.
     */
    selfGovContact: {
      type: new Schema({ name: { type: String, trim: true }, userId: { type: String, trim: true } }, { _id: false }),
      default: undefined,
    },
    /** Generation of the public board's link (src/board/link.ts); `/公示码 重置` raises it, voiding posted QR codes. */
    boardGeneration: { type: Number, min: 0, default: 0 },
    /** 示范楼院. */
    demonstration: { type: Boolean, default: false, required: true },
    /** When the roster import added it; a period ended before then does not rank it. Absent: before history was kept. */
    listedAt: { type: Date },
    /**
     * False once the roster import left it out with --remove-missing: it drops out of
     * lookups now, and a period begun after `deactivatedAt` does not rank it (src/services/on-roster.ts).
     */
    active: { type: Boolean, default: true },
    deactivatedAt: { type: Date },
  },
  { timestamps: true },
);
courtyardSchema.index({ street: 1, name: 1 }, { unique: true });
courtyardSchema.index({ name: 1 });
courtyardSchema.index({ aliases: 1 });
courtyardSchema.index({ community: 1 });
courtyardSchema.index({ 'selfGovContact.userId': 1 }, { sparse: true });
// The courtyard cache (src/services/record-cache.ts) drops what it read before a local write.
countWrites(courtyardSchema, 'Courtyard');

export type Courtyard = InferSchemaType<typeof courtyardSchema>;
export type CourtyardDoc = HydratedDocument<Courtyard>;
export type CourtyardModel = Model<Courtyard>;

recordChangedBy(courtyardSchema);

export function courtyardModel(conn: Connection): CourtyardModel {
  return (conn.models.Courtyard as CourtyardModel | undefined) ?? conn.model<Courtyard>('Courtyard', courtyardSchema);
}
