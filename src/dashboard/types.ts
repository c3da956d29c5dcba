/**
 * The JSON the dashboard API sends and the page reads (src/dashboard/web imports these
 * types; nothing here runs). Dates are 'YYYY-MM-DD' Beijing days or ISO instants as named.
 */
import type { ScorePart } from '../services/score';

export type { ScorePart };

/** One bar of the chart, one row of a ranking. */
export interface ScoreRow {
  id: string;
  name: string;
  /** 0–100, one decimal; null: nothing measured (无数据). */
  score: number | null;
  /** The previous published ranking's score, when ranked then. */
  previousScore?: number | null;
  rank?: number;
  previousRank?: number;
  /** ↑2, ↓1, —, 新, or '' (nothing to compare with): the rank change as the push showed it. */
  change?: string;
}

/** One tile of the courtyard grid and one row of the weekly table. */
export interface CourtyardTile extends ScoreRow {
  streetId: string;
  streetName: string;
  rank: number;
  /** Each part, null where nothing was measured (shown as —（本期无）). */
  parts: Record<ScorePart, number | null>;
  unmeasured: ScorePart[];
  /** No project: 项目进度 is 0 (无项目). */
  noProjects?: boolean;
  /** Late items at the period's end (projects, requests, milestones). */
  overdue: number;
}

/** One late thing (src/services/overdue.ts), ready to show. */
export interface OverdueEntry {
  kind: 'project' | 'request' | 'milestone' | 'visit';
  /** 项目逾期, 诉求未反馈, 节点未完成, 本周未下沉. */
  kindLabel: string;
  no?: number;
  title: string;
  courtyardId: string;
  courtyardName: string;
  streetName: string;
  /** Names of who answers for it. */
  responsible: string[];
  daysLate: number;
  /** 'YYYY-MM-DD' it became late. */
  since: string;
}

/** GET /dashboard/api/data. */
export interface DashboardData {
  scope: {
    kind: 'district' | 'street' | 'courtyard';
    /** 全区, 济源路街道, 东方花园. */
    label: string;
  };
  /** ISO instant the figures were computed at. */
  generatedAt: string;
  /** 'YYYY-MM-DD' until which the link is valid. */
  linkExpires: string;
  /**
   * What the headline, the chart, the tiles and the table show: the last published week
   * (`published`, with the version) — what the weekly push said — or, before any publication,
   * the running week (its label says so).
   */
  period: { label: string; previousLabel: string; published: boolean; version?: number };
  /** The scope's own score in that week and the previous published one, its place among its peers (its street's courtyards, the district's streets), and its rank change. */
  summary: { score?: number | null; previousScore?: number | null; rank?: number; of?: number; peers?: string; change?: string };
  /** The running week so far: each part as progress toward its target (never ranked). */
  running: { label: string; parts: { key: ScorePart; label: string; text: string }[] };
  /** The bar chart: the district's streets, a street's courtyards, or a courtyard's score parts; the two series' names. */
  chart: { title: string; rows: ScoreRow[]; currentLabel: string; previousLabel: string };
  /** Every courtyard of the scope, by street then name. */
  courtyards: CourtyardTile[];
  /** Everything late now, most late first (the first few hundred); `total` counts all. */
  overdue: { items: OverdueEntry[]; total: number };
  /** Labels of the five score parts, in order. */
  parts: { key: ScorePart; label: string }[];
}

/** The 2-working-day status of a request. */
export type RequestState = 'pending' | 'overdue' | 'on-time' | 'late';

/** GET /dashboard/api/courtyard/:id. */
export interface CourtyardCard {
  id: string;
  name: string;
  streetName: string;
  communityName?: string;
  households?: number;
  management: string;
  /** The last published week's score (or, before any, the running week's, `label` saying so). */
  score: {
    label: string;
    score: number | null;
    previousScore?: number | null;
    rank?: number;
    of?: number;
    change?: string;
    parts: Record<ScorePart, number | null>;
    unmeasured: ScorePart[];
    noProjects?: boolean;
  };
  /** The running week so far, part by part. */
  running: { label: string; parts: { key: ScorePart; label: string; text: string }[] };
  orgs: {
    party: { status: string; kind?: string };
    selfGov: { status: string; kind?: string };
    volunteerTeams: number;
  };
  projects: {
    no: number;
    title: string;
    category: string;
    area?: string;
    percent: number;
    status: string;
    /** Deadline in force, 'YYYY-MM-DD'. */
    deadline?: string;
    postponed: boolean;
    overdue: boolean;
    /** Open: days to the deadline (negative: late). */
    daysLeft?: number;
    owner?: string;
    /** 'YYYY-MM-DD'. */
    completedAt?: string;
    completedOnTime?: boolean;
    /**
     * Its photos, oldest first (the timeline): the first is 整治前, the latest 整治后. At most
     * the first and the last MAX_TIMELINE_PHOTOS; `photoCount` counts them all.
     */
    photos: CardPhoto[];
    photoCount: number;
  }[];
  requests: {
    no: number;
    text: string;
    status: string;
    /** 'YYYY-MM-DD'. */
    createdAt: string;
    /** 'YYYY-MM-DD': the last day feedback is on time. */
    dueDay: string;
    state: RequestState;
    /** 按期反馈 / 超期反馈 / 已超期 N 个工作日 / 还剩 N 个工作日 / 今天内反馈. */
    stateLabel: string;
    assignee?: string;
    rating?: string;
  }[];
  visits: {
    weekLabel: string;
    /** Hours a cadre owes each week (4 = half a day). */
    dutyHours: number;
    cadres: { name: string; unit: string; assigned: boolean; hoursHere: number; hoursWeek: number; met: boolean; activities: string[] }[];
    /** Visits of the last 30 days that came with photos, latest first. */
    withPhotos: { day: string; cadre: string; hours: number; activities: string[]; photos: CardPhoto[] }[];
  };
}

/**
 * A photo on the card. Its picture is `dashboard/api/photo/<id>?t=<the link's token>`
 * (`&size=thumb` for the thumbnail), served only to a valid link whose scope holds it.
 */
export interface CardPhoto {
  id: string;
  /** When it was sent, ISO. */
  at: string;
  /** When the camera says it was taken, ISO. */
  takenAt?: string;
  /** What it documents: 进度 40%, 项目, 下沉, 诉求 #7. */
  label: string;
  width?: number;
  height?: number;
}
