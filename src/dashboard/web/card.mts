/**
 * The courtyard card, in an overlay: score, the three organisations, projects with progress
 * bars and deadlines, requests with their 2-working-day status, cadres on site this week.
 */
import type { CardPhoto, CourtyardCard, DashboardData } from '../types.js';
import { bandOf } from './bands.mjs';
import { byId, fill, h } from './dom.mjs';
import { day, part, score } from './format.mjs';

const REQUEST_STATE_CLASS = { pending: 'state-pending', overdue: 'state-overdue', 'on-time': 'state-ok', late: 'state-late' } as const;

function orgLine(label: string, o: { status: string; kind?: string }) {
  const built = o.status === '已建';
  return h('li', { class: built ? 'org ok' : 'org missing' }, h('span', { class: 'org-mark', 'aria-hidden': 'true' }, built ? '✔' : o.status === '筹建中' ? '…' : '✘'), `${label}：${o.status}${o.kind ? `（${o.kind}）` : ''}`);
}

function bar(percent: number, late: boolean) {
  const fillEl = h('span', { class: 'bar-fill' });
  // A style property, not a style attribute: the page's CSP allows no inline style attributes.
  fillEl.style.width = `${Math.max(0, Math.min(100, percent))}%`;
  return h(
    'span',
    { class: `bar${late ? ' bar-late' : ''}`, role: 'progressbar', 'aria-valuenow': percent, 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-label': `进度 ${percent}%` },
    fillEl,
    h('span', { class: 'bar-text' }, `${percent}%`),
  );
}

/** The photo's address: same origin, the page's own token (img-src 'self'). */
function photoSrc(photo: CardPhoto, size: 'thumb' | 'full'): string {
  const token = new URLSearchParams(location.search).get('t') ?? '';
  return `dashboard/api/photo/${encodeURIComponent(photo.id)}?t=${encodeURIComponent(token)}${size === 'thumb' ? '&size=thumb' : ''}`;
}

function photoDay(photo: CardPhoto): string {
  return day(new Date(new Date(photo.takenAt ?? photo.at).getTime() + 8 * 3600_000).toISOString().slice(0, 10));
}

/** One picture, linking to the full size; `caption` under it. */
function figure(photo: CardPhoto, caption: string, cls: string) {
  return h(
    'figure',
    { class: cls },
    h('a', { href: photoSrc(photo, 'full'), target: '_blank', rel: 'noopener' }, h('img', { src: photoSrc(photo, 'thumb'), alt: `${caption} ${photoDay(photo)}`, loading: 'lazy', decoding: 'async' })),
    h('figcaption', {}, caption, ' · ', photoDay(photo)),
  );
}

/** 整治前 / 整治后 side by side (the first and the latest), then the whole timeline. */
function projectPhotos(p: CourtyardCard['projects'][number]) {
  if (p.photos.length === 0) return null;
  const first = p.photos[0]!;
  const latest = p.photos[p.photos.length - 1]!;
  return h(
    'div',
    { class: 'photos' },
    h(
      'div',
      { class: 'before-after' },
      figure(first, '整治前', 'photo before'),
      p.photos.length > 1 ? figure(latest, '整治后', 'photo after') : h('p', { class: 'empty photo after' }, '整治后：暂无照片'),
    ),
    p.photos.length > 2
      ? h('div', { class: 'timeline', 'aria-label': `照片时间线（共 ${p.photoCount} 张）` }, ...p.photos.map((ph) => figure(ph, ph.label, 'photo small')))
      : null,
    p.photoCount > p.photos.length ? h('p', { class: 'hint' }, `共 ${p.photoCount} 张照片，显示第一张和最近 ${p.photos.length - 1} 张`) : null,
  );
}

function deadlineText(p: CourtyardCard['projects'][number]): string {
  if (p.status === '已完成') return `已完成 ${day(p.completedAt)}${p.completedOnTime === false ? '（逾期完成）' : '（按时）'}`;
  if (!p.deadline) return '未定截止日期';
  const left = p.daysLeft ?? 0;
  const when = left > 0 ? `还有 ${left} 天` : left === 0 ? '今天到期' : `逾期 ${-left} 天`;
  return `截止 ${day(p.deadline)} · ${when}${p.postponed ? ' · 已延期' : ''}`;
}

function render(card: CourtyardCard, parts: DashboardData['parts']): HTMLElement[] {
  const band = bandOf(card.score.score);
  const s = card.score;
  return [
    h(
      'header',
      { class: 'card-head' },
      h('h2', { id: 'card-title' }, card.name),
      h('p', { class: 'card-sub' }, [card.streetName, card.communityName, card.households ? `${card.households} 户` : '', `管理方式：${card.management}`].filter(Boolean).join(' · ')),
      h(
        'p',
        { class: 'card-score' },
        h('span', { class: `swatch ${band.cls}`, 'aria-hidden': 'true' }, band.mark),
        h('strong', { id: 'card-score' }, score(s.score)),
        s.score === null ? '' : ' 分',
        s.change ? ` ${s.change}` : '',
        s.previousScore !== undefined ? `（上一周 ${score(s.previousScore)}）` : '',
        s.rank ? ` · 街道内第 ${s.rank}/${s.of} 名` : '',
      ),
      h('p', { class: 'card-sub' }, s.label),
      h('ul', { class: 'parts' }, ...parts.map((p) => h('li', {}, `${p.label} `, h('b', {}, part(s, p.key))))),
      h('p', { class: 'card-sub running' }, `${card.running.label}：${card.running.parts.map((p) => `${p.label} ${p.text}`).join(' · ')}`),
    ),
    h(
      'section',
      {},
      h('h3', {}, '三类组织'),
      h('ul', { class: 'orgs' }, orgLine('党组织', card.orgs.party), orgLine('自治组织', card.orgs.selfGov), orgLine('志愿服务队', { status: card.orgs.volunteerTeams > 0 ? '已建' : '未建', kind: `${card.orgs.volunteerTeams} 支` })),
    ),
    h(
      'section',
      {},
      h('h3', {}, `整治项目（${card.projects.length}）`),
      card.projects.length === 0
        ? h('p', { class: 'empty' }, '还没有项目')
        : h(
            'ul',
            { class: 'projects' },
            ...card.projects.map((p) =>
              h(
                'li',
                { class: p.overdue ? 'project late-item' : 'project' },
                h('div', { class: 'project-title' }, h('span', { class: 'no' }, `#${p.no}`), ` ${p.title}`, h('span', { class: 'tag' }, `${p.category}${p.area ? `·${p.area}` : ''}`)),
                bar(p.percent, p.overdue),
                h('div', { class: 'project-meta' }, deadlineText(p), p.owner ? ` · 责任人 ${p.owner}` : '', p.photoCount ? ` · 照片 ${p.photoCount} 张` : ''),
                projectPhotos(p),
              ),
            ),
          ),
    ),
    h(
      'section',
      {},
      h('h3', {}, `民情诉求（${card.requests.length}）`),
      h('p', { class: 'hint' }, '要求 2 个工作日内反馈'),
      card.requests.length === 0
        ? h('p', { class: 'empty' }, '近 30 天没有诉求')
        : h(
            'ul',
            { class: 'requests' },
            ...card.requests.map((r) =>
              h(
                'li',
                { class: `request ${REQUEST_STATE_CLASS[r.state]}` },
                h('div', {}, h('span', { class: 'no' }, `#${r.no}`), ` ${r.text}`),
                h(
                  'div',
                  { class: 'request-meta' },
                  h('span', { class: 'state' }, r.stateLabel),
                  ` · ${r.status} · ${day(r.createdAt)}登记 · 反馈期限 ${day(r.dueDay)}`,
                  r.assignee ? ` · ${r.assignee}` : '',
                  r.rating ? ` · 评价：${r.rating}` : '',
                ),
              ),
            ),
          ),
    ),
    h(
      'section',
      {},
      h('h3', {}, `本周干部下沉（${card.visits.weekLabel}）`),
      card.visits.cadres.length === 0
        ? h('p', { class: 'empty' }, '没有分包干部')
        : h(
            'ul',
            { class: 'visits' },
            ...card.visits.cadres.map((c) =>
              h(
                'li',
                { class: c.met ? 'visit ok' : 'visit missing' },
                h('span', { class: 'org-mark', 'aria-hidden': 'true' }, c.met ? '✔' : '✘'),
                `${c.name}（${c.unit}）${c.assigned ? '' : ' · 非分包'}：本楼院 ${c.hoursHere} 小时，本周共 ${c.hoursWeek} 小时 · ${c.met ? '已达标' : `未满 ${card.visits.dutyHours} 小时`}`,
                c.activities.length ? h('span', { class: 'tag' }, c.activities.join('、')) : null,
              ),
            ),
          ),
      card.visits.withPhotos.length
        ? h(
            'div',
            { class: 'visit-photos' },
            h('h4', {}, '近 30 天下沉照片'),
            ...card.visits.withPhotos.map((v) =>
              h(
                'div',
                { class: 'visit-photo-row' },
                h('p', { class: 'project-meta' }, `${day(v.day)} · ${v.cadre} · ${v.hours} 小时${v.activities.length ? ` · ${v.activities.join('、')}` : ''}`),
                h('div', { class: 'timeline' }, ...v.photos.map((ph) => figure(ph, '下沉', 'photo small'))),
              ),
            ),
          )
        : null,
    ),
  ];
}

let lastFocus: Element | null = null;

/** Shows `card` in the overlay and moves focus into it. */
export function showCard(card: CourtyardCard, parts: DashboardData['parts']): void {
  const overlay = byId('card');
  lastFocus = document.activeElement;
  fill(byId('card-body'), ...render(card, parts));
  overlay.hidden = false;
  document.body.classList.add('card-open');
  byId('card-close').focus();
}

/** A message in the overlay instead of a card (loading, refused). */
export function showCardMessage(text: string): void {
  fill(byId('card-body'), h('p', { class: 'empty' }, text));
  byId('card').hidden = false;
  document.body.classList.add('card-open');
}

export function closeCard(): void {
  byId('card').hidden = true;
  document.body.classList.remove('card-open');
  if (lastFocus instanceof HTMLElement) lastFocus.focus();
}
