import { bold, escapeMarkdown, font } from '../src/text/markdown';
import { defineJob, sentLate, type PlannedPush } from '../src/jobs/define-job';
import { fitLines } from '../src/jobs/fit-lines';
import { loadPushGroups, pushTo } from '../src/jobs/targets';
import { formatDateTime } from '../src/services/beijing-time';
import { formatYuan, KIND_LABELS, monthLabel, monthOf, publicAccounts, totalsLine } from '../src/services/public-accounts';

/**
 * 事务公开 (the 1st, 09:30; on a day off or at night it waits for the next working morning,
 * as the monthly ranking does): each courtyard's work group gets last month's public
 * accounts as a 公示 — every entry that counts, the income, spending and balance — or, when
 * nothing was recorded, a reminder to record them (the self-governing body's contact
 * mentioned when the roster gives their account).
 */
export default defineJob({
  name: 'monthly-accounts',
  title: '事务公开',
  schedule: '30 9 1 * *',
  onDayOff: 'hold',
  async build(ctx) {
    const groups = (await loadPushGroups(ctx.models)).filter((g) => g.purpose === 'work' && g.scope.kind === 'courtyard' && g.scope.refId);
    if (groups.length === 0) return [];
    const month = monthOf(ctx.firedAt, -1);
    const label = monthLabel(month);
    const ids = [...new Set(groups.map((g) => g.scope.refId!))];
    const yards = new Map((await ctx.models.Courtyard.find({ _id: { $in: ids }, active: { $ne: false } }).lean()).map((y) => [String(y._id), y]));
    const late = sentLate(ctx) ? [font('comment', `截至${formatDateTime(ctx.firedAt)}（推送顺延）`)] : [];

    const pushes: PlannedPush[] = [];
    for (const id of ids) {
      const yard = yards.get(id);
      if (!yard) continue;
      const a = await publicAccounts(ctx.models, yard._id, month);
      const contact = yard.selfGovContact?.userId;
      let payload: PlannedPush['payload'];
      let part: string;
      if (a.entries.length === 0) {
        part = 'reminder';
        const content = [
          `## 事务公开提醒 ${escapeMarkdown(yard.name)}`,
          font('warning', `${label}还没有登记任何收支，无法公示。`),
          '按楼院事务公开制度，停车费、卫生（物业）费、公共空间营收等收入和门卫、保洁、物管用品等支出每月公开。',
          `请自治组织联系人或管理员补登：\`/公开 收入 停车费 1200 元 ${month.month}月\`、\`/公开 支出 保洁 800 元 ${month.month}月\`，再发 \`/公开 列表 上月\` 核对。`,
        ].join('\n');
        payload = { type: 'markdown', content, ...(contact ? { mentions: [contact] } : {}) };
      } else {
        part = 'accounts';
        const head = [`## ${escapeMarkdown(yard.name)} ${label} 事务公开`, ...late, bold(totalsLine(a)), ''];
        const lines = a.entries.map((e) => `#${e.no} ${KIND_LABELS[e.kind]} ${escapeMarkdown(e.item)} ${formatYuan(e.amountFen)} 元${e.note ? ` · ${escapeMarkdown(e.note)}` : ''}`);
        const tail = [
          ...(a.voided.length ? [font('comment', `另有 ${a.voided.length} 笔已作废，不计入合计`)] : []),
          font('comment', `有疑问请联系楼院自治组织或管理员；明细：\`/公开 列表 ${label}\``),
        ];
        payload = { type: 'markdown', content: fitLines(head, lines, tail, (n) => `……另有 ${n} 笔，发送 /公开 列表 ${label} 查看`) };
      }
      for (const g of groups.filter((x) => x.scope.refId === id)) pushes.push(pushTo(g, part, payload));
    }
    return pushes;
  },
});
