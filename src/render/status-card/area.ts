/** The card of a street office or of the whole district. */
import { bold, escapeMarkdown, font, paginate, type Page } from '../../text/markdown';
import type { Models, StreetDoc } from '../../db/models';
import { meanProgress, sumFigures } from '../../services/figures';
import { formatScore, VISIT_HOURS_PER_WEEK } from '../../services/score';
import { areaFacts } from '../../services/status-card/area';
import { headlineLines, milestoneLines, orgsLine, pageFooter, projectsLine, requestsLine, type CardOptions } from './shared';

/** How many lowest-scoring courtyards a street or district card lists. */
export const WORST_SHOWN = 3;

/** The card of a street office (`street`) or of the whole district (`street` null). */
export async function areaCard(models: Models, street: StreetDoc | null, opts: CardOptions): Promise<Page> {
  const { now } = opts;
  const title = street ? escapeMarkdown(street.name) : '全区';
  const facts = await areaFacts(models, street, now, opts.weights);
  if (!facts) return paginate({ header: [bold(`📋 ${title}`), '还没有楼院：请管理员导入花名册（npm run import）'], lines: [] });
  const { yards, figures: g, headline: h, streets } = facts;
  const total = sumFigures(g.byYard.values());
  const n = total.courtyards;

  const header = [`${bold(`📋 ${title}`)}${font('comment', ` · ${n} 个楼院`)}`, ...headlineLines(h, now), orgsLine(total.orgs, n), projectsLine(total)];
  const lines = [requestsLine(total)];
  const met = g.cadres.filter((c) => [...c.hoursAt.values()].every((x) => x >= VISIT_HOURS_PER_WEEK)).length;
  lines.push(`分包干部：${g.cadres.length} 人 · 本周已在分包楼院下沉半天 ${met} 人${met < g.cadres.length ? ` · ${font('warning', `未下沉 ${g.cadres.length - met}`)}` : ''}`);
  if (total.overdue.milestone) lines.push(`节点任务：${font('warning', `${total.overdue.milestone} 个楼院次未按期完成`)}`);
  lines.push(...(await milestoneLines(models, yards, now)));

  if (!street) {
    // The district: one line per street office.
    lines.push(bold('各街道：'));
    for (const s of streets) {
      const sf = sumFigures(yards.filter((y) => y.street.equals(s._id)).map((y) => g.byYard.get(String(y._id))!));
      const progress = sf.projects.total ? `进度 ${Math.round(meanProgress(sf)!)}%` : '无项目';
      lines.push(`${escapeMarkdown(s.name)} · ${sf.courtyards} 院 · ${progress} · 全覆盖 ${sf.orgs.full}/${sf.courtyards}${sf.overdue.total ? ` · ${font('warning', `逾期 ${sf.overdue.total}`)}` : ''}`);
    }
  }

  // 需关注: the lowest scores of the published week (idle courtyards included); before any publication, of the running week.
  const low = h.published ? h.published.lowest : [...h.running.courtyards].sort((a, b) => (a.score ?? -1) - (b.score ?? -1) || a.name.localeCompare(b.name, 'zh-Hans-CN'));
  if (low.length) {
    lines.push(bold(`需关注的楼院（${h.published ? `${h.published.label}得分最低` : '本周进行中得分最低'}）：`));
    for (const r of low.slice(0, WORST_SHOWN)) {
      const late = g.byYard.get(r.id)?.overdue.total ?? 0;
      lines.push(`${escapeMarkdown(r.name)} · ${formatScore(r.score)}${r.score === null ? '' : ' 分'}${r.noProjects ? ' · 无项目' : ''} · ${late ? font('warning', `逾期 ${late}`) : '无逾期'}`);
    }
  }
  if (opts.problems?.length) lines.push(...opts.problems);
  return paginate({ header, lines, page: opts.page, ...pageFooter(opts.moreCommand) });
}
