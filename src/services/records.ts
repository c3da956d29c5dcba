/**
 * A person's recent records (/下沉 visits, /进度 reports, /反馈 feedback), with short numbers an admin can type (/记录), and voiding one
 * after the undo window (/作废 记录). The numbers live in RecordRef: given once, by a
 * conditional upsert on the record's key, never changed.
 *
 * A void is one conditional write on the RecordRef (not yet voided → voided, who, why): of
 * two at once one wins and the other is told. Then the record is removed through the audit
 * log (a feedback taken out of its request), and a progress report's project goes back to
 * the percent it had without it; a void
 * interrupted between the two is completed by the next /作废 of the same number. /撤销 by
 * the admin within its window puts everything back.
 */
import type { Types } from 'mongoose';
import type { CadreDoc, Models, ProgressReportDoc, RecordKind, RecordRefDoc, VisitDoc } from '../db/models';
import { OPEN_PROJECT_STATUSES } from '../db/models/project';
import type { Audit } from './audit';
import { formatDay } from './beijing-time';
import { nextSequence } from './sequence';
import { formatHours } from './visits';

/** /记录 reaches back this far. */
export const RECORDS_SINCE_DAYS = 60;
/** And lists at most this many records of each kind. */
export const RECORDS_PER_KIND = 50;

/** One record as listed. */
export interface ListedRecord {
  key: string;
  kind: RecordKind;
  docId: Types.ObjectId;
  courtyard: Types.ObjectId;
  street: Types.ObjectId;
  at: Date;
  summary: string;
  /** A feedback's identity within its request. */
  feedbackAt?: Date;
  feedbackBy?: string;
}

const visitKey = (id: Types.ObjectId) => `Visit:${String(id)}`;
const progressKey = (id: Types.ObjectId) => `ProgressReport:${String(id)}`;
const feedbackKey = (id: Types.ObjectId, at: Date, by: string) => `Feedback:${String(id)}:${at.getTime()}:${by}`;

/** The feedback a RecordRef names, as a query on its request's `feedbacks`. */
const feedbackMatch = (ref: Pick<RecordRefDoc, 'feedbackAt' | 'feedbackBy'>) => ({ $elemMatch: { at: ref.feedbackAt, by: ref.feedbackBy } });

/** The person's visits, progress reports and feedback made since `since` (within `street` when given), newest first. */
export async function recentRecords(models: Models, person: Pick<CadreDoc, '_id' | 'userId'>, opts: { since: Date; street?: Types.ObjectId; now: Date }): Promise<ListedRecord[]> {
  const cadre = person._id;
  const where = opts.street ? { street: opts.street } : {};
  const by = person.userId;
  const [visits, reports, requests] = await Promise.all([
    models.Visit.find({ cadre, createdAt: { $gte: opts.since }, ...where }).sort({ createdAt: -1 }).limit(RECORDS_PER_KIND),
    models.ProgressReport.find({ cadre, at: { $gte: opts.since }, ...where }).sort({ at: -1 }).limit(RECORDS_PER_KIND),
    by ? models.ResidentRequest.find({ feedbacks: { $elemMatch: { by, at: { $gte: opts.since } } }, ...where }).sort({ createdAt: -1 }).limit(RECORDS_PER_KIND) : [],
  ]);
  const ids = [...new Set([...visits, ...reports, ...requests].map((r) => String(r.courtyard)))];
  const yards = new Map((await models.Courtyard.find({ _id: { $in: ids } }, { name: 1 }).lean()).map((y) => [String(y._id), y.name]));
  const projectIds = [...new Set(reports.map((r) => String(r.project)))];
  const projects = new Map((await models.Project.find({ _id: { $in: projectIds } }, { no: 1, title: 1 }).lean()).map((p) => [String(p._id), p]));
  const yard = (id: Types.ObjectId) => yards.get(String(id)) ?? '?';
  const out: ListedRecord[] = [
    ...visits.map((v) => ({ key: visitKey(v._id), kind: 'visit' as const, docId: v._id, courtyard: v.courtyard, street: v.street, at: v.createdAt, summary: visitSummary(v, yard(v.courtyard), opts.now) })),
    ...reports.map((r) => {
      const p = projects.get(String(r.project));
      return { key: progressKey(r._id), kind: 'progress' as const, docId: r._id, courtyard: r.courtyard, street: r.street, at: r.at, summary: progressSummary(r, p ? `#${p.no} ${p.title}` : '?', yard(r.courtyard)) };
    }),
    ...requests.flatMap((q) =>
      q.feedbacks
        .filter((fb) => fb.by === by && fb.at >= opts.since)
        .map((fb) => ({
          key: feedbackKey(q._id, fb.at, fb.by),
          kind: 'feedback' as const,
          docId: q._id,
          courtyard: q.courtyard,
          street: q.street,
          at: fb.at,
          summary: `反馈 诉求 #${q.no}（${yard(q.courtyard)}）：${fb.text}`,
          feedbackAt: fb.at,
          feedbackBy: fb.by,
        })),
    ),
  ];
  return out.sort((a, b) => b.at.getTime() - a.at.getTime());
}

function visitSummary(v: VisitDoc, yard: string, now: Date): string {
  const what = [...v.activities, v.note].filter(Boolean).join('、');
  return `下沉 ${yard} ${formatDay(v.date, now)} ${formatHours(v.hours)}${what ? `：${what}` : ''}`;
}

function progressSummary(r: ProgressReportDoc, project: string, yard: string): string {
  const from = r.previousPercent ?? 0;
  return `进度 ${project}（${yard}）${from}% → ${r.percent}%${r.note ? `：${r.note}` : ''}`;
}

/**
 * The numbers of `records`, giving one to each that has none yet. Two listings at once give
 * a record the same number: the upsert on its key inserts once (a number taken by the loser
 * is skipped, never reused).
 */
export async function numberRecords(models: Models, cadre: Types.ObjectId, records: readonly ListedRecord[], now: Date): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const known = await models.RecordRef.find({ key: { $in: records.map((r) => r.key) } }, { key: 1, no: 1 }).lean();
  for (const k of known) out.set(k.key, k.no);
  for (const r of records) {
    if (out.has(r.key)) continue;
    const no = await nextSequence(models, 'record');
    const fields = {
      no, kind: r.kind, docId: r.docId, cadre, courtyard: r.courtyard, street: r.street, at: r.at, summary: r.summary, createdAt: now, voidedAt: null,
      ...(r.kind === 'feedback' ? { feedbackAt: r.feedbackAt, feedbackBy: r.feedbackBy } : {}),
    };
    const ref = await models.RecordRef.findOneAndUpdate({ key: r.key }, { $setOnInsert: fields }, { upsert: true, returnDocument: 'after' })
      .lean()
      .catch(async (err: unknown) => {
        // Two upserts of the same new key at once: one inserts, the other finds it.
        const again = await models.RecordRef.findOne({ key: r.key }).lean();
        if (!again) throw err;
        return again;
      });
    out.set(r.key, ref!.no);
  }
  return out;
}

/** The person's voided records since `since` (within `street` when given), newest first. */
export async function voidedRecords(models: Models, cadre: Types.ObjectId, opts: { since: Date; street?: Types.ObjectId }): Promise<RecordRefDoc[]> {
  return models.RecordRef.find({ cadre, at: { $gte: opts.since }, voidedAt: { $ne: null }, ...(opts.street ? { street: opts.street } : {}) }).sort({ at: -1 }).limit(RECORDS_PER_KIND);
}

/** Why a record cannot be voided on its own, or null when it can. */
export async function voidObstacle(models: Models, ref: RecordRefDoc): Promise<string | null> {
  if (ref.kind !== 'progress') return null;
  const report = await models.ProgressReport.findById(ref.docId, { project: 1, percent: 1 }).lean();
  if (!report) return null;
  const project = await models.Project.findById(report.project, { no: 1, status: 1 }).lean();
  if (report.percent === 100 && project?.status === '已完成') {
    return `这条进度把项目 #${project.no} 报为完成（已销号），不能单独作废；项目需重新打开时请联系区管理员`;
  }
  return null;
}

/** Whether the record behind `ref` still exists (a void completed, or /撤销 of the record itself, removes it). */
export async function recordExists(models: Models, ref: Pick<RecordRefDoc, 'kind' | 'docId' | 'feedbackAt' | 'feedbackBy'>): Promise<boolean> {
  if (ref.kind === 'feedback') return (await models.ResidentRequest.countDocuments({ _id: ref.docId, feedbacks: feedbackMatch(ref) })) > 0;
  const model = ref.kind === 'visit' ? models.Visit : models.ProgressReport;
  return (await (model as typeof models.Visit).countDocuments({ _id: ref.docId })) > 0;
}

/**
 * Removes the record of a voided `ref` through `audit`; a progress report's project goes
 * back to the percent of its latest remaining report (the report's own starting percent
 * when none is left), guarded on the project still showing the voided percent: a report
 * made since stands. Idempotent: nothing left to remove is no change.
 */
export async function removeVoided(models: Models, audit: Audit, ref: Pick<RecordRefDoc, 'kind' | 'docId' | 'feedbackAt' | 'feedbackBy'>): Promise<void> {
  if (ref.kind === 'feedback') return removeFeedback(models, audit, ref);
  if (ref.kind === 'visit') {
    await audit.remove(models.Visit, { _id: ref.docId });
    return;
  }
  const report = (await audit.remove(models.ProgressReport, { _id: ref.docId })) as { project: Types.ObjectId; percent: number; previousPercent?: number; at: Date } | null;
  if (!report) return;
  const latest = await models.ProgressReport.findOne({ project: report.project }).sort({ at: -1 }).lean();
  const later = latest && latest.at > report.at;
  if (later) return;
  await audit.update(
    models.Project,
    { _id: report.project, percent: report.percent, status: { $in: [...OPEN_PROJECT_STATUSES] } },
    latest ? { $set: { percent: latest.percent, lastReportAt: latest.at } } : { $set: { percent: report.previousPercent ?? 0 }, $unset: { lastReportAt: 1 } },
  );
}

/** Tries of the feedback removal when others change the same request at once. */
const MAX_ATTEMPTS = 5;

/**
 * Takes a voided feedback out of its request: the first answer's time (what the
 * 2-working-day rule judges) becomes the earliest remaining feedback, else the closing,
 * else none; a request left without any answer goes back to 点单 / 已接单. Guarded on the
 * request's version as read: a change in between makes it read again.
 */
async function removeFeedback(models: Models, audit: Audit, ref: Pick<RecordRefDoc, 'docId' | 'feedbackAt' | 'feedbackBy'>): Promise<void> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const request = await models.ResidentRequest.findOne({ _id: ref.docId, feedbacks: feedbackMatch(ref) }).lean();
    if (!request) return;
    const left = request.feedbacks.filter((fb) => !(fb.by === ref.feedbackBy && fb.at.getTime() === ref.feedbackAt?.getTime()));
    const firstAt = left.length ? new Date(Math.min(...left.map((fb) => fb.at.getTime()))) : (request.closedAt ?? null);
    const set: Record<string, unknown> = { feedbacks: left };
    const unset: Record<string, 1> = {};
    if (firstAt) set.feedbackAt = firstAt;
    else unset.feedbackAt = 1;
    if (left.length) set.feedback = left[left.length - 1]!.text;
    else unset.feedback = 1;
    if (request.status === '已反馈' && left.length === 0) set.status = request.assignee ? '已接单' : '点单';
    const done = await audit.update(models.ResidentRequest, { _id: request._id, __v: request.__v ?? null }, { $set: set, ...(Object.keys(unset).length ? { $unset: unset } : {}) });
    if (done) return;
  }
  throw new Error(`ResidentRequest ${String(ref.docId)} kept changing while a voided feedback was taken out`);
}
