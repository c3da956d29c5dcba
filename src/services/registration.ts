/**
 * Linking WeCom accounts to roster entries (花名册). People are who they say only by the
 * roster or an admin's approval, never by typing a name: an entry that carries a userid
 * (from the roster import) belongs to that account alone; for an entry without one, /登记
 * files a claim that the entry's street admin or a district admin approves or rejects.
 *
 * The changes go through the caller's audit, each one conditional write: a claim is unique
 * per entry and per account while pending (a unique partial index), a decision is guarded on
 * the claim still pending, a link on the entry still having no userid.
 */
import type { Types } from 'mongoose';
import type { CadreDoc, Models, RegistrationClaimDoc } from '../db/models';
import { nameKey } from '../text/normalize';
import { UserError } from '../errors';
import { isDuplicateKey } from '../db/duplicate-key';
import { lastWriter, type Audit } from './audit';

/** Who acts, when, through which audit. */
export interface RegistrationActor {
  models: Models;
  audit: Audit;
  now: Date;
  caller: { userId: string; name: string };
}

/** `王五（区教育局）`: how an entry is named to whoever already knows its name and unit. */
export function entryLabel(entry: Pick<CadreDoc, 'name' | 'unit'>): string {
  return `${entry.name}（${entry.unit}）`;
}

/**
 * The active roster entries of exactly this name and unit (the unit compared after
 * normalising width, case and spaces; never a part of it). Nothing about other entries of
 * the name is returned: a reply must not tell a stranger where someone works.
 */
export async function findEntry(models: Models, name: string, unit: string): Promise<CadreDoc[]> {
  const named = await models.Cadre.find({ name: name.replace(/^@/, '').trim(), active: true });
  return named.filter((c) => nameKey(c.unit) === nameKey(unit));
}

/** The street offices an entry belongs to: its courtyards' streets and its role's street. */
export async function entryStreets(models: Models, entry: CadreDoc): Promise<Types.ObjectId[]> {
  const streets = (await models.Courtyard.find({ _id: { $in: entry.courtyards } }, { street: 1 }).lean()).map((c) => c.street);
  if (entry.scope.kind === 'street' && entry.scope.refId) streets.push(entry.scope.refId);
  return [...new Map(streets.map((s) => [String(s), s])).values()];
}

export type ClaimOutcome =
  | { kind: 'filed'; claim: RegistrationClaimDoc }
  /** This account already asked for this entry. */
  | { kind: 'already'; claim: RegistrationClaimDoc };

/**
 * Files the caller's claim to `entry` (which has no userid). Refused when the account has a
 * pending claim to another entry, or someone else's claim to this one is pending.
 */
export async function fileClaim(actor: RegistrationActor, entry: CadreDoc, chatId: string | undefined): Promise<ClaimOutcome> {
  const { models, audit, caller } = actor;
  const pendingOf = (userId: string) => models.RegistrationClaim.findOne({ userId, status: 'pending' });
  const mine = await pendingOf(caller.userId);
  if (mine?.cadre.equals(entry._id)) return { kind: 'already', claim: mine };
  if (mine) throw await otherClaimError(models, mine);
  try {
    const claim = await audit.create(models.RegistrationClaim, { cadre: entry._id, userId: caller.userId, userName: caller.name, status: 'pending', chatId });
    return { kind: 'filed', claim };
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    const raced = await pendingOf(caller.userId);
    if (raced?.cadre.equals(entry._id)) return { kind: 'already', claim: raced };
    if (raced) throw await otherClaimError(models, raced);
    throw new UserError(`「${entryLabel(entry)}」已有一份待审核的登记申请，请等待街道或区管理员审核；如果不是你本人申请的，请联系管理员`);
  }
}

async function otherClaimError(models: Models, claim: RegistrationClaimDoc): Promise<UserError> {
  const entry = await models.Cadre.findById(claim.cadre, { name: 1, unit: 1 });
  const what = entry ? `「${entryLabel(entry)}」` : '花名册中的另一条记录';
  return new UserError(`你已申请登记为${what}，正在等待审核；如果填错了，请管理员驳回后重新申请`);
}

/**
 * The pending claim to an entry; when there is none, a UserError saying so — and, when the
 * latest claim was decided, by whom (so of two decisions sent at once the second hears it).
 */
export async function pendingClaim(models: Models, entry: CadreDoc): Promise<RegistrationClaimDoc> {
  const pending = await models.RegistrationClaim.findOne({ cadre: entry._id, status: 'pending' });
  if (pending) return pending;
  const last = await models.RegistrationClaim.findOne({ cadre: entry._id, decidedAt: { $ne: null } }).sort({ decidedAt: -1, _id: -1 });
  if (last) throw new UserError(`「${entryLabel(entry)}」没有待审核的登记申请：最近一份已由 ${last.decidedByName ?? last.decidedBy} ${last.status === 'approved' ? '批准' : '驳回'}`);
  throw new UserError(entry.userId ? `「${entryLabel(entry)}」已关联企业微信账号` : `「${entryLabel(entry)}」没有待审核的登记申请`);
}

/** The UserError for a claim decided by someone else in the meantime: who, and how. */
async function decidedError(models: Models, claimId: Types.ObjectId, entry: CadreDoc): Promise<UserError> {
  const claim = await models.RegistrationClaim.findById(claimId);
  if (!claim || claim.status === 'pending') return new UserError(`「${entryLabel(entry)}」的登记申请刚刚有了变化，请重试`);
  const how = claim.status === 'approved' ? '批准' : '驳回';
  return new UserError(`「${entryLabel(entry)}」的登记申请刚刚已由 ${claim.decidedByName ?? claim.decidedBy} ${how}`);
}

/**
 * Approves the pending claim: the claim first (guarded on still pending: of two decisions at
 * once, one stands and the other is told whose), then the link (guarded on the entry still
 * without a userid). When the link cannot be made — the roster import gave the entry an
 * account meanwhile, or the claimant's account is linked to another entry — the claim is
 * rejected with that reason and a UserError says so.
 */
export async function approveClaim(actor: RegistrationActor, entry: CadreDoc, claim: RegistrationClaimDoc): Promise<CadreDoc> {
  const { models, audit, now, caller } = actor;
  const decided = await audit.update(
    models.RegistrationClaim,
    { _id: claim._id, status: 'pending' },
    { $set: { status: 'approved', decidedBy: caller.userId, decidedByName: caller.name, decidedAt: now } },
  );
  if (!decided) throw await decidedError(models, claim._id, entry);
  const fail = async (reason: string) => {
    await audit.update(models.RegistrationClaim, { _id: claim._id, status: 'approved' }, { $set: { status: 'rejected', reason } });
    return new UserError(`无法批准：${reason}，申请已作废`);
  };
  const linked = await audit
    .update(models.Cadre, { _id: entry._id, userId: null, active: true }, { $set: { userId: claim.userId, userIdSource: 'register', linkedAt: now } })
    .catch(async (err: unknown) => {
      if (!isDuplicateKey(err)) throw err;
      throw await fail('申请人的企业微信账号已关联到花名册中的另一条记录');
    });
  if (!linked) throw await fail(`「${entryLabel(entry)}」已关联了企业微信账号`);
  return linked;
}

/** Rejects the pending claim (guarded on still pending). */
export async function rejectClaim(actor: RegistrationActor, entry: CadreDoc, claim: RegistrationClaimDoc, reason?: string): Promise<RegistrationClaimDoc> {
  const { models, audit, now, caller } = actor;
  const decided = await audit.update(
    models.RegistrationClaim,
    { _id: claim._id, status: 'pending' },
    { $set: { status: 'rejected', decidedBy: caller.userId, decidedByName: caller.name, decidedAt: now, ...(reason ? { reason } : {}) } },
  );
  if (!decided) throw await decidedError(models, claim._id, entry);
  return decided;
}

/**
 * Unlinks an account that /登记 linked (guarded on the entry still linked to it). An account
 * from the roster import is the roster's to change: refused, saying so.
 */
export async function unlinkEntry(actor: RegistrationActor, entry: CadreDoc): Promise<{ userId: string }> {
  const { models, audit } = actor;
  if (!entry.userId) throw new UserError(`「${entryLabel(entry)}」还没有关联企业微信账号`);
  if (entry.userIdSource === 'roster') {
    throw new UserError(`「${entryLabel(entry)}」的企业微信账号写在花名册里：请在花名册中修改后重新导入（npm run import）`);
  }
  const userId = entry.userId;
  const unlinked = await audit.update(
    models.Cadre,
    { _id: entry._id, userId, userIdSource: 'register' },
    { $unset: { userId: 1, userIdSource: 1, linkedAt: 1 } },
  );
  if (!unlinked) {
    throw new UserError(`「${entryLabel(entry)}」的关联刚刚已由 ${(await lastWriter(models, 'Cadre', entry._id)) ?? '他人'} 改动，请重试`);
  }
  return { userId };
}
