/** A courtyard's card: its headline, organisations, open projects, requests, cadres and milestones. */
import { bold, escapeMarkdown, font, paginate, progressBar, type Page } from '../../text/markdown';
import type { CourtyardDoc, Models } from '../../db/models';
import { formatDay } from '../../services/beijing-time';
import { VISIT_HOURS_PER_WEEK } from '../../services/score';
import { courtyardFacts } from '../../services/status-card/courtyard';
import { headlineLines, hoursText, milestoneLines, pageFooter, projectsLine, requestsLine, type CardOptions } from './shared';

/** The card of one courtyard. */
export async function courtyardCard(models: Models, courtyard: CourtyardDoc, opts: CardOptions): Promise<Page> {
  const { now } = opts;
  const { street, figures: g, headline: h, active, owners } = await courtyardFacts(models, courtyard, now, opts.weights);
  const f = g.byYard.get(String(courtyard._id))!;
  const o = f.orgState;
  const orgText = (x: { status: string; kind?: string | null }) => (x.status === '已建' && x.kind ? `已建（${x.kind}）` : x.status);

  const header = [
    `${bold(`📋 ${escapeMarkdown(courtyard.name)}`)}${street ? font('comment', ` · ${escapeMarkdown(street.name)}`) : ''}`,
    ...headlineLines(h, now),
    `三类组织：党组织 ${orgText(o.party)} · 自治组织 ${orgText(o.selfGov)} · 志愿队 ${o.volunteerTeams} 支 · ${f.orgs.full ? font('info', '全覆盖') : font('warning', '未全覆盖')}`,
    projectsLine(f),
  ];

  const late = new Set(g.overdue.filter((i) => i.kind === 'project').map((i) => i.id));
  const lines = active.map((p) => {
    const due = p.deadline ? `截止${formatDay(p.deadline, now)}` : '未定截止';
    const who = p.owner ? ` · ${escapeMarkdown(owners.get(String(p.owner)) ?? '')}` : '';
    return `#${p.no} ${escapeMarkdown(p.title)} ${progressBar(p.percent)} · ${late.has(String(p._id)) ? font('warning', `${due} 已逾期`) : due}${p.status === '已延期' ? '（已延期）' : ''}${who}`;
  });

  lines.push(requestsLine(f));
  const here = g.cadres.map((c) => ({ name: c.name, hours: c.hoursAt.get(String(courtyard._id)) ?? 0 }));
  if (here.length === 0) lines.push('分包干部：未分配');
  else {
    lines.push(`分包干部（本周在本楼院下沉 ${f.cadres.met}/${f.cadres.total}）：`);
    lines.push(
      here
        .map(({ name, hours }) =>
          hours >= VISIT_HOURS_PER_WEEK ? `${escapeMarkdown(name)} ✅${hoursText(hours)}` : `${escapeMarkdown(name)} ${font('warning', hours ? `⚠${hoursText(hours)}` : '⚠未下沉')}`,
        )
        .join(' · '),
    );
  }
  const milestones = await milestoneLines(models, [courtyard], now);
  if (milestones.length) lines.push('节点任务：', ...milestones);
  if (opts.problems?.length) lines.push(...opts.problems);
  return paginate({ header, lines, page: opts.page, ...pageFooter(opts.moreCommand) });
}
