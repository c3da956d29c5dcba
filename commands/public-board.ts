import { boardUrl } from '../src/board/link';
import { renderPoster } from '../src/board/poster';
import type { CommandContext } from '../src/bot/context';
import { defineCommand } from '../src/bot/define-command';
import { bold, escapeMarkdown, font } from '../src/text/markdown';
import type { CourtyardDoc } from '../src/db/models';
import { UserError } from '../src/errors';

/** The courtyard this group is bound to, or a refusal saying where to send it. */
function boundCourtyard(ctx: CommandContext): CourtyardDoc {
  if (ctx.scope.kind !== 'courtyard') {
    return ctx.fail('请在已绑定楼院的工作群里发送 /公示码：二维码按楼院生成（管理员先发送 `/绑定 楼院 名称`）');
  }
  return ctx.scope.courtyard;
}

/**
 * /公示码 — the courtyard's public board (src/board): its link, and a printable A4 poster
 * with the QR code pushed into the group as an image. Read-only: it signs a link with the
 * courtyard's board generation. Anyone in the courtyard's group may ask (the board is public).
 */
const code = defineCommand({
  name: '二维码',
  aliases: ['qr'],
  summary: '本楼院公示栏的链接和可打印的 A4 二维码海报',
  allow: 'anyone',
  usage: ['/公示码 二维码'],
  async run(ctx) {
    const courtyard = boundCourtyard(ctx);
    const url = boardUrl(ctx.config, courtyard);
    const lines = [
      `📋 ${bold(`${escapeMarkdown(courtyard.name)} · 楼院公示栏`)}`,
      `[打开公示栏](${url})`,
      font('comment', '居民扫码即可查看项目公示、事务公开、诉求办理情况，并提交诉求；页面不显示姓名和电话'),
    ];
    const group = ctx.group;
    if (ctx.outbox && group?.webhookUrl && !group.webhookInvalidAt) {
      const street = (await ctx.models.Street.findById(courtyard.street, { name: 1 }).lean())?.name ?? '';
      // One poster per message: WeCom's retry of the same message finds this push already queued.
      await ctx.outbox.enqueue({
        dedupeKey: `board-poster:${ctx.msg.channel}:${ctx.msg.msgId}`,
        target: { kind: 'webhook', url: group.webhookUrl },
        payload: { type: 'image', png: renderPoster({ courtyard: courtyard.name, street, url }) },
      });
      lines.push('A4 海报（二维码）正在发送到本群：保存图片后按 A4 纵向打印，张贴在楼院公示栏');
    } else {
      lines.push(font('warning', '本群还没有可用的推送地址，海报发不到群里。请管理员添加群机器人后发送 `/绑定 楼院 名称 webhook=群机器人推送地址`'));
    }
    lines.push(font('comment', '二维码外泄或需更换时，管理员发送 /公示码 重置（旧二维码随即失效）'));
    return lines.join('\n');
  },
});

/** /公示码 重置 — voids the posted QR codes of this courtyard: one $inc of its board generation. */
const reset = defineCommand({
  name: '重置',
  aliases: ['reset'],
  summary: '作废本楼院此前的公示栏二维码（需重新打印张贴）',
  allow: ['admin'],
  usage: ['/公示码 重置'],
  async run(ctx) {
    const courtyard = boundCourtyard(ctx);
    await ctx.assertInScope({ courtyard });
    const updated = await ctx.audit.update(ctx.models.Courtyard, { _id: courtyard._id }, { $inc: { boardGeneration: 1 } });
    if (!updated) throw new UserError('这个楼院已不存在');
    ctx.log.info({ courtyard: String(courtyard._id), by: ctx.caller.userId }, 'public board links of a courtyard revoked (/公示码 重置)');
    return ['✅ 已作废本楼院此前的公示栏二维码，扫描旧二维码将提示"链接无效或已停用"。', '请发送 `/公示码` 获取新的海报，打印后替换张贴。'].join('\n');
  },
});

/** /公示码 — the public board's QR code; 重置 voids the old one. */
export default defineCommand({
  name: '公示码',
  aliases: ['board'],
  summary: '楼院公示栏二维码（A4 海报）；管理员可重置',
  subcommands: [code, reset],
  defaultSubcommand: '二维码',
});
