/**
 * The board's pages, rendered on the server as plain HTML (no script at all: the CSP says
 * `script-src 'none'`), phone-first, with one stylesheet served by the app. Every value from
 * the database or the visitor goes through `esc`.
 */
import { RATINGS, REQUEST_CATEGORIES, type ResidentRequestDoc } from '../db/models';
import { formatDateTime } from '../services/beijing-time';
import { formatDueDay } from '../services/requests';
import type { BoardData } from './data';
import type { Challenge } from './link';

/** Escapes text for HTML content and attribute values alike. */
export function esc(s: unknown): string {
  return String(s ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const pct = (r: number | null) => (r === null ? '—' : `${r}%`);

function shell(title: string, body: string): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer"><title>${esc(title)}</title><link rel="stylesheet" href="/board/assets/board.css"></head><body><main>${body}</main><footer>楼院公示栏 · 本页不显示任何居民的姓名和电话</footer></body></html>`;
}

/** What the submission form keeps when it is shown again (after a refusal). */
export interface FormState {
  text?: string;
  category?: string;
  phone?: string;
  error?: string;
  challenge?: Challenge;
}

function requestForm(action: string, f: FormState): string {
  const options = REQUEST_CATEGORIES.map((c) => `<option value="${esc(c)}"${f.category === c ? ' selected' : ''}>${esc(c)}</option>`).join('');
  const challenge = f.challenge
    ? `<label>验证：${esc(f.challenge.question)}<input name="answer" inputmode="numeric" autocomplete="off" required></label><input type="hidden" name="challenge" value="${esc(f.challenge.token)}">`
    : '';
  return `<section id="submit"><h2>我要反映诉求</h2>
${f.error ? `<p class="error" role="alert">${esc(f.error)}</p>` : ''}
<form method="post" action="${esc(action)}">
<label>类别<select name="category">${options}</select></label>
<label>诉求内容<textarea name="text" maxlength="500" rows="4" required placeholder="例如：3号楼楼道灯不亮">${esc(f.text ?? '')}</textarea></label>
<label>联系电话（仅用于回复您，不公开）<input name="phone" type="tel" inputmode="tel" maxlength="20" required value="${esc(f.phone ?? '')}"></label>
${challenge}
<button type="submit">提交诉求</button>
</form>
<p class="note">提交后会得到诉求编号和跟踪链接，2个工作日内反馈；办结后可在跟踪页面评价。</p></section>`;
}

/** The courtyard's board. */
export function boardPage(d: BoardData, base: string, form: FormState = {}): string {
  const org = (label: string, o: { status: string; kind: string | null }) =>
    `<li><span>${esc(label)}</span><b class="s-${esc(o.status)}">${esc(o.status)}${o.kind ? `（${esc(o.kind)}）` : ''}</b></li>`;
  const projects = d.projects.length
    ? d.projects
        .map(
          (p) => `<article class="project">
${p.photoId ? `<img src="${esc(`${base}/photo/${p.photoId}?size=thumb`)}" alt="项目 #${p.no} 最新照片" loading="lazy">` : ''}
<h3>#${p.no} ${esc(p.title)}</h3>
<dl><dt>类别</dt><dd>${esc(p.category)}${p.area ? ` · ${esc(p.area)}` : ''}</dd>
<dt>整治标准</dt><dd>${esc(p.standard || '—')}</dd>
<dt>责任人</dt><dd>${esc(p.owner ?? '—')}</dd>
<dt>完成时限</dt><dd>${esc(p.deadline ?? '—')}</dd>
<dt>进度</dt><dd><span class="bar"><span class="p${Math.round(p.percent / 10) * 10}"></span></span> ${p.percent}% · ${esc(p.status)}</dd></dl></article>`,
        )
        .join('')
    : '<p class="empty">暂无整治项目</p>';
  const accounts = d.accounts
    ? `<table><thead><tr><th>收支</th><th>项目</th><th>金额（元）</th></tr></thead><tbody>${d.accounts.lines
        .map((l) => `<tr><td>${esc(l.kind)}</td><td>${esc(l.item)}${l.note ? `<br><small>${esc(l.note)}</small>` : ''}</td><td class="num">${esc(l.yuan)}</td></tr>`)
        .join('')}</tbody></table><p>收入合计 ${esc(d.accounts.totals.income)} 元 · 支出合计 ${esc(d.accounts.totals.spending)} 元 · 结余 ${esc(d.accounts.totals.balance)} 元</p>`
    : '<p class="empty">本月尚未公开收支</p>';
  const requests = d.requests.length
    ? `<ul class="requests">${d.requests.map((r) => `<li>#${r.no} · ${esc(r.category)} · <b>${esc(r.status)}</b> <small>${esc(r.day)}</small></li>`).join('')}</ul>`
    : '<p class="empty">暂无诉求</p>';
  return shell(
    `${d.courtyard.name} · 楼院公示栏`,
    `<header><h1>${esc(d.courtyard.name)}</h1><p>${esc(d.courtyard.street)} · 楼院公示栏</p></header>
<section id="orgs"><h2>三类组织</h2><ul class="orgs">${org('党组织', d.orgs.party)}${org('自治组织', d.orgs.selfGov)}<li><span>志愿服务队</span><b>${d.orgs.volunteerTeams} 支</b></li></ul></section>
<section id="projects"><h2>项目公示</h2>${projects}</section>
<section id="accounts" data-section="public-accounts"><h2>事务公开${d.accounts ? ` · ${esc(d.accounts.month)}` : ''}</h2>${accounts}</section>
<section id="figures"><h2>诉求办理</h2><ul class="figures"><li><b data-figure="feedback">${pct(d.figures.feedbackRate)}</b><span>反馈率</span></li><li><b data-figure="completion">${pct(d.figures.completionRate)}</b><span>办结率</span></li><li><b data-figure="satisfaction">${pct(d.figures.satisfactionRate)}</b><span>满意率</span></li></ul><p class="note">共 ${d.figures.total} 件 · 更新于 ${esc(d.asOf)}</p>${requests}</section>
${requestForm(`${base}/request`, form)}`,
  );
}

/** The follow page of one request: where it stands, the answers given, and (办结) the rating. */
export function followPage(r: ResidentRequestDoc, opts: { self: string; board: string | null; courtyard: string; now: Date; notice?: string; error?: string }): string {
  const feedbacks = (r.feedbacks ?? []).map((f) => `<li><small>${esc(formatDateTime(f.at, opts.now))}</small> ${esc(f.text)}</li>`).join('');
  const closed = r.status === '已办结';
  const rating = closed
    ? `<section id="rate"><h2>评价</h2>${r.rating ? `<p>您的评价：<b data-rating>${esc(r.rating)}</b>（可重新评价）</p>` : '<p>诉求已办结，请评价：</p>'}
<form method="post" action="${esc(`${opts.self}/rate`)}" class="rate">${RATINGS.map((x) => `<button type="submit" name="rating" value="${esc(x)}">${esc(x)}</button>`).join('')}</form></section>`
    : '';
  return shell(
    `诉求 #${r.no} · ${opts.courtyard}`,
    `<header><h1>诉求 #${r.no}</h1><p>${esc(opts.courtyard)}</p></header>
${opts.notice ? `<p class="ok" role="status">${esc(opts.notice)}</p>` : ''}${opts.error ? `<p class="error" role="alert">${esc(opts.error)}</p>` : ''}
<section><dl><dt>状态</dt><dd><b data-status>${esc(r.status)}</b></dd>
<dt>类别</dt><dd>${esc(r.category ?? '其他')}</dd>
<dt>内容</dt><dd>${esc(r.text)}</dd>
<dt>提交时间</dt><dd>${esc(formatDateTime(r.createdAt, opts.now))}</dd>
<dt>反馈期限</dt><dd>${esc(formatDueDay(r.dueAt, opts.now))}前</dd>
${r.resolution ? `<dt>办结结果</dt><dd>${esc(r.resolution)}</dd>` : ''}</dl>
${feedbacks ? `<h2>反馈</h2><ul>${feedbacks}</ul>` : ''}
<p class="note">请保存本页链接，随时查看办理进度。</p></section>
${rating}
${opts.board ? `<p><a href="${esc(opts.board)}">返回楼院公示栏</a></p>` : ''}`,
  );
}

/** A page for a board link that is not (or no longer) valid. */
export const GONE_PAGE = shell('链接无效', '<header><h1>链接无效或已停用</h1></header><p>二维码可能已更换。请扫描楼院公示栏上最新的二维码，或联系社区。</p>');

/** The board's stylesheet (served from /board/assets/board.css). */
// The system's CJK fonts first; Noto Sans SC served by the app (/board/assets/noto-sans-sc.ttf),
// downloaded only by a device with none of them, as on the dashboard.
export const BOARD_CSS = `@font-face{font-family:"Noto Sans SC";src:local("Noto Sans SC"),local("NotoSansSC-Regular"),url("/board/assets/noto-sans-sc.ttf") format("truetype");font-display:swap}
*{box-sizing:border-box}body{margin:0;font-family:-apple-system,BlinkMacSystemFont,"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","Source Han Sans SC","Noto Sans SC",sans-serif;color:#222;background:#f5f5f5;line-height:1.6;font-size:16px}
main{max-width:640px;margin:0 auto;padding:0 12px 24px}header{background:#b71c1c;color:#fff;margin:0 -12px 12px;padding:16px}header h1{margin:0;font-size:22px}header p{margin:0;opacity:.9}
section{background:#fff;border-radius:8px;padding:12px;margin:12px 0}h2{font-size:18px;margin:0 0 8px;border-left:4px solid #b71c1c;padding-left:8px}h3{font-size:16px;margin:4px 0}
.orgs,.figures,.requests{list-style:none;margin:0;padding:0}.orgs li{display:flex;justify-content:space-between;padding:4px 0;border-bottom:1px solid #eee}
.figures{display:flex;gap:8px}.figures li{flex:1;text-align:center;background:#fafafa;border-radius:6px;padding:8px 0}.figures b{display:block;font-size:22px;color:#b71c1c}.figures span{font-size:13px;color:#555}
.requests li{padding:4px 0;border-bottom:1px solid #eee;font-size:14px}.project{border-top:1px solid #eee;padding:8px 0;overflow:hidden}.project img{float:right;width:96px;height:96px;object-fit:cover;border-radius:6px;margin-left:8px}
dl{display:grid;grid-template-columns:5em 1fr;gap:2px 8px;margin:4px 0}dt{color:#666}dd{margin:0;word-break:break-all}
.bar{display:inline-block;width:80px;height:8px;background:#eee;border-radius:4px;vertical-align:middle;overflow:hidden}.bar span{display:block;height:100%;background:#2e7d32}
${Array.from({ length: 11 }, (_, i) => `.p${i * 10}{width:${i * 10}%}`).join('')}
table{width:100%;border-collapse:collapse;font-size:14px}th,td{border-bottom:1px solid #eee;padding:4px;text-align:left}.num{text-align:right}
label{display:block;margin:8px 0}input,select,textarea{display:block;width:100%;font:inherit;padding:8px;border:1px solid #ccc;border-radius:6px;margin-top:4px}
button{font:inherit;background:#b71c1c;color:#fff;border:0;border-radius:6px;padding:10px 16px;margin:8px 8px 0 0;min-height:44px}
.error{color:#b71c1c;font-weight:bold}.ok{color:#2e7d32;font-weight:bold;background:#fff;padding:8px;border-radius:6px}.note,.empty,small{color:#666;font-size:13px}
footer{text-align:center;color:#888;font-size:12px;padding:16px}a{color:#0d47a1}`;
