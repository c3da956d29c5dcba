/**
 * What the public board shows of one courtyard: the conservative public subset, documented
 * in README (公示栏 · 公开的内容). Built field by field from the records (never a record
 * passed through), so nothing private can ride along:
 * - the three organisations as recorded (status, form, number of volunteer teams);
 * - every project not cancelled, as on a 公示栏: title, category, task area, standard, the
 *   responsible cadre's name (a cadre's name is public on a 公示栏), deadline, progress,
 *   status, and the id of its latest photo (served only by the board's photo route);
 * - the month's public accounts, from the provider the caller passes (事务公开);
 * - the courtyard's request figures (src/services/requests.ts, the one definition), and the
 *   latest requests by number, category and status only.
 * Never: phone numbers, residents' names, request texts, feedback texts, userids.
 */
import type { Types } from 'mongoose';
import type { CourtyardDoc, Models } from '../db/models';
import { formatDateTime, formatDay } from '../services/beijing-time';
import { CANCELLED, countedRequests } from '../services/counted';
import { NO_REQUESTS, requestFiguresByCourtyard, type RequestFigures } from '../services/requests';

/** One line of the month's public accounts, amounts already in yuan as shown. */
export interface BoardAccountLine {
  kind: '收入' | '支出';
  item: string;
  yuan: string;
  note?: string;
}

/** The month's public accounts (事务公开) as the board shows them. */
export interface BoardAccounts {
  /** `2020年9月`. */
  month: string;
  lines: BoardAccountLine[];
  totals: { income: string; spending: string; balance: string };
}

/**
 * Where the month's accounts come from (the 事务公开 service, wired in by main.ts); null or
 * no provider: the board says 本月尚未公开收支.
 */
export type BoardAccountsProvider = (courtyardId: string, now: Date) => Promise<BoardAccounts | null>;

export interface BoardProject {
  no: number;
  title: string;
  category: string;
  area: string | null;
  standard: string;
  owner: string | null;
  deadline: string | null;
  percent: number;
  status: string;
  /** The latest stored photo's id (GET /board/<token>/photo/<id>?size=thumb). */
  photoId: string | null;
}

export interface BoardData {
  courtyard: { name: string; street: string };
  orgs: { party: { status: string; kind: string | null }; selfGov: { status: string; kind: string | null }; volunteerTeams: number };
  projects: BoardProject[];
  accounts: BoardAccounts | null;
  figures: Pick<RequestFigures, 'total' | 'feedbackRate' | 'completionRate' | 'satisfactionRate'>;
  /** The latest requests: number, category, status and day logged, nothing else. */
  requests: { no: number; category: string; status: string; day: string }[];
  /** When the figures were computed (Beijing day and time). */
  asOf: string;
}

/** How many of the latest requests the board lists. */
export const BOARD_REQUESTS_LISTED = 10;

export async function buildBoardData(models: Models, courtyard: CourtyardDoc, now: Date, accounts?: BoardAccountsProvider): Promise<BoardData> {
  const [street, projects, figures, requests, shownAccounts] = await Promise.all([
    models.Street.findById(courtyard.street, { name: 1 }).lean(),
    models.Project.find({ courtyard: courtyard._id, status: { $ne: CANCELLED } }, { no: 1, title: 1, category: 1, area: 1, standard: 1, owner: 1, deadline: 1, percent: 1, status: 1 })
      .sort({ no: 1 })
      .limit(100)
      .lean(),
    requestFiguresByCourtyard(models, { courtyard: courtyard._id }, now),
    models.ResidentRequest.find({ courtyard: courtyard._id, ...countedRequests() }, { no: 1, category: 1, status: 1, createdAt: 1 })
      .sort({ no: -1 })
      .limit(BOARD_REQUESTS_LISTED)
      .lean(),
    accounts ? accounts(String(courtyard._id), now) : Promise.resolve(null),
  ]);
  const ownerIds = projects.map((p) => p.owner).filter((o): o is Types.ObjectId => !!o);
  const [owners, photos] = await Promise.all([
    models.Cadre.find({ _id: { $in: ownerIds } }, { name: 1 }).lean(),
    models.Photo.aggregate<{ _id: Types.ObjectId; photo: Types.ObjectId }>([
      { $match: { project: { $in: projects.map((p) => p._id) }, courtyard: courtyard._id, status: 'stored' } },
      { $sort: { at: -1 } },
      { $group: { _id: '$project', photo: { $first: '$_id' } } },
    ]),
  ]);
  const ownerName = new Map(owners.map((o) => [String(o._id), o.name]));
  const photoOf = new Map(photos.map((p) => [String(p._id), String(p.photo)]));
  const f = figures.get(String(courtyard._id)) ?? NO_REQUESTS;
  const orgs = courtyard.orgs;
  return {
    courtyard: { name: courtyard.name, street: street?.name ?? '' },
    orgs: {
      party: { status: orgs?.party?.status ?? '未建', kind: orgs?.party?.kind ?? null },
      selfGov: { status: orgs?.selfGov?.status ?? '未建', kind: orgs?.selfGov?.kind ?? null },
      volunteerTeams: orgs?.volunteerTeams ?? 0,
    },
    projects: projects.map((p) => ({
      no: p.no,
      title: p.title,
      category: p.category,
      area: p.area ?? null,
      standard: p.standard ?? '',
      owner: p.owner ? (ownerName.get(String(p.owner)) ?? null) : null,
      deadline: p.deadline ? formatDay(p.deadline, now) : null,
      percent: p.percent,
      status: p.status,
      photoId: photoOf.get(String(p._id)) ?? null,
    })),
    accounts: shownAccounts,
    figures: { total: f.total, feedbackRate: f.feedbackRate, completionRate: f.completionRate, satisfactionRate: f.satisfactionRate },
    requests: requests.map((r) => ({ no: r.no, category: r.category ?? '其他', status: r.status, day: formatDay(r.createdAt, now) })),
    asOf: formatDateTime(now, now),
  };
}
