/**
 * Correcting resident requests (issue 13): /诉求 转派 hands a request to another cadre or
 * courtyard (each hand-over kept in `transfers`); /诉求 作废 voids a duplicate or spam,
 * which then counts in no figure, rate, score or overdue list (src/services/counted.ts).
 * Each is one conditional write through the caller's audit, guarded on the state read.
 */
import type { QueryFilter } from 'mongoose';
import type { CadreDoc, CourtyardDoc, ResidentRequest, ResidentRequestDoc } from '../db/models';
import { UserError } from '../errors';
import { VOIDED } from './counted';
import { nameOfUser } from './lookup';
import { MAX_REQUEST_TEXT, describeStateWithNames, stateError, type RequestActor } from './requests';

/** Where a request goes: another cadre, another courtyard, or both. */
export interface TransferTarget {
  assignee?: CadreDoc;
  courtyard?: Pick<CourtyardDoc, '_id' | 'street' | 'name'>;
}

/**
 * 转派: a request not yet closed goes to `to.assignee` (a request nobody took becomes
 * 已接单 by them) and/or to `to.courtyard` (moved without a named cadre, it waits there for
 * 接单 again: its assignee is cleared, 已接单 goes back to 点单). Feedback already given stays.
 * Guarded on the status, assignee and courtyard read: of two at once, the second is told.
 */
export async function transferRequest(actor: RequestActor, request: ResidentRequestDoc, to: TransferTarget): Promise<ResidentRequestDoc> {
  const { models, audit, now, caller } = actor;
  if (request.status === '已办结' || request.status === VOIDED) {
    throw new UserError(`${await describeStateWithNames(models, request, now)}，不能再转派`);
  }
  const { assignee, courtyard } = to;
  if (assignee && !assignee.active) throw new UserError(`${assignee.name}（${assignee.unit}）已不在花名册中，请另选`);
  const moves = courtyard !== undefined && !courtyard._id.equals(request.courtyard);
  const reassigns = assignee !== undefined && !(request.assignee && assignee._id.equals(request.assignee));
  if (!moves && !reassigns) {
    if (assignee) throw new UserError(`#${request.no} 已由 ${assignee.name} 负责，无需转派`);
    throw new UserError(`#${request.no} 已在 ${courtyard?.name ?? '该楼院'}，无需转派`);
  }

  const set: Record<string, unknown> = {};
  const unset: Record<string, 1> = {};
  if (moves) Object.assign(set, { courtyard: courtyard._id, street: courtyard.street });
  if (assignee) {
    set.assignee = assignee._id;
    if (request.status === '点单') Object.assign(set, { status: '已接单', acceptedAt: now });
  } else if (moves) {
    unset.assignee = 1;
    if (request.status === '已接单') {
      set.status = '点单';
      unset.acceptedAt = 1;
    }
  }
  const transfer = {
    at: now,
    by: caller.userId,
    fromAssignee: request.assignee ?? undefined,
    toAssignee: assignee?._id ?? (moves ? undefined : request.assignee ?? undefined),
    fromCourtyard: request.courtyard,
    toCourtyard: moves ? courtyard._id : request.courtyard,
  };
  const seen = { _id: request._id, status: request.status, assignee: request.assignee ?? null, courtyard: request.courtyard } as QueryFilter<ResidentRequest>;
  const updated = await audit.update(models.ResidentRequest, seen, {
    $set: set,
    ...(Object.keys(unset).length ? { $unset: unset } : {}),
    $push: { transfers: transfer },
  });
  if (!updated) throw await transferLostError(actor, request);
  return updated;
}

/** Why a transfer did not land: another transfer got in first (said with who and to whom), or the request moved on. */
async function transferLostError(actor: RequestActor, request: ResidentRequestDoc): Promise<UserError> {
  const { models, now } = actor;
  const current = await models.ResidentRequest.findById(request._id);
  const last = current?.transfers[current.transfers.length - 1];
  if (!current || !last || current.transfers.length <= request.transfers.length || current.status === '已办结' || current.status === VOIDED) {
    return stateError(models, request._id, now);
  }
  const [who, yard, cadre] = await Promise.all([
    nameOfUser(models, last.by),
    models.Courtyard.findById(last.toCourtyard, { name: 1 }),
    last.toAssignee ? models.Cadre.findById(last.toAssignee, { name: 1 }) : null,
  ]);
  return new UserError(`#${current.no} 刚刚已由 ${who} 转派给 ${cadre?.name ?? yard?.name ?? '?'}，请核对后再转`);
}

/**
 * 作废: a duplicate or spam leaves every figure (src/services/counted.ts); the record stays
 * with when, who, why and the status it had. Guarded on the status read.
 */
export async function voidRequest(actor: RequestActor, request: ResidentRequestDoc, reason: string): Promise<ResidentRequestDoc> {
  const { models, audit, now, caller } = actor;
  const why = reason.trim();
  if (why.length > MAX_REQUEST_TEXT) throw new UserError(`原因太长（${why.length} 字），最多 ${MAX_REQUEST_TEXT} 字`);
  if (request.status === VOIDED) throw new UserError(await describeStateWithNames(models, request, now));
  const updated = await audit.update(models.ResidentRequest, { _id: request._id, status: request.status } as QueryFilter<ResidentRequest>, {
    $set: { status: VOIDED, voidedAt: now, voidedBy: caller.userId, voidReason: why, voidedFrom: request.status },
  });
  if (!updated) throw await stateError(models, request._id, now);
  return updated;
}
