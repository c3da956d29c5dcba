/** A courtyard's three organisations (三类组织) in words; what counts is src/services/orgs.ts's. */
import { font } from '../text/markdown';
import type { Courtyard } from '../db/models';
import { ORG_LABELS, orgCoverage } from '../services/orgs';

type Orgs = Courtyard['orgs'];

function orgLine(label: string, o: { status: string; kind?: string | null } | undefined): string {
  const status = o?.status ?? '未建';
  const mark = status === '已建' ? '✅' : status === '筹建中' ? '⏳' : '❌';
  return `${mark} ${label}：${status}${o?.kind ? `（${o.kind}）` : ''}`;
}

/** The three lines and the coverage line of a courtyard's status card. */
export function orgStatusLines(orgs: Orgs | undefined): string[] {
  const teams = orgs?.volunteerTeams ?? 0;
  const cover = orgCoverage(orgs);
  return [
    orgLine(ORG_LABELS.party, orgs?.party),
    orgLine(ORG_LABELS.selfGov, orgs?.selfGov),
    `${teams > 0 ? '✅' : '❌'} ${ORG_LABELS.volunteer}：${teams} 支`,
    cover.full ? font('info', '三类组织已全覆盖') : font('warning', `未全覆盖：缺${cover.missing.join('、')}`),
  ];
}
