import { z } from 'zod';
import { arg } from '../src/bot/args';
import { defineCommand } from '../src/bot/define-command';
import { bold, escapeMarkdown, font } from '../src/bot/markdown';
import { nameKey } from '../src/bot/normalize';
import type { CadreDoc } from '../src/db/models';
import { UserError } from '../src/errors';

const unitMatches = (entry: CadreDoc, unit: string) => {
  const a = nameKey(entry.unit);
  const b = nameKey(unit);
  return a === b || a.includes(b) || b.includes(a);
};

const show = (c: CadreDoc) => `${c.name}（${c.unit}）`;

/**
 * /登记 — the worked example of positional arguments (a word, then the rest of the line)
 * and of an audited update with a guard against a concurrent writer. Links the caller's
 * WeCom userid to their roster entry; never grants admin or leader rights (those need the
 * userid in the roster itself, or ADMIN_USERIDS).
 */
export default defineCommand({
  name: '登记',
  aliases: ['register'],
  summary: '把你的企业微信账号关联到花名册（姓名 + 单位）',
  allow: 'anyone',
  usage: ['/登记 张三 区医保局'],
  args: z.object({ name: arg.word('姓名'), unit: arg.text('单位').optional() }),
  keys: { 姓名: 'name', 单位: 'unit' },
  async run(ctx, { name, unit }) {
    const { models, caller } = ctx;
    const named = await models.Cadre.find({ name: name.replace(/^@/, ''), active: true }).sort({ unit: 1 });
    const matches = unit ? named.filter((c) => unitMatches(c, unit)) : named;
    const wanted = unit ? `${name}（${unit}）` : name;

    if (matches.length === 0) {
      const elsewhere = named.length ? `花名册中的「${name}」在：${named.map((c) => c.unit).join('、')}。` : '';
      return ctx.fail(`花名册里没有「${wanted}」。${elsewhere}请核对姓名和单位，或请管理员导入花名册`);
    }
    if (matches.length > 1) {
      return ctx.fail(`花名册里有 ${matches.length} 位「${name}」：${matches.map((c) => c.unit).join('、')}。请同时写上单位`);
    }
    const entry = matches[0]!;
    if (caller.cadre && !caller.cadre._id.equals(entry._id)) {
      throw new UserError(`你的企业微信账号已登记为 ${show(caller.cadre)}；如需更改，请联系管理员`);
    }
    if (entry.userId && entry.userId !== caller.userId) {
      throw new UserError(`${show(entry)} 已由另一个企业微信账号登记；如果不是你本人登记的，请联系管理员`);
    }

    let linked = entry;
    if (!entry.userId) {
      // The filter re-checks that nobody linked it since we read it.
      const updated = await ctx.audit
        .update(models.Cadre, { _id: entry._id, userId: null }, { $set: { userId: caller.userId, userIdSource: 'register', linkedAt: ctx.now } })
        .catch((err: unknown) => {
          // The unique userId index: this account is linked to a deactivated roster entry.
          if ((err as { code?: unknown }).code === 11000) throw new UserError('你的企业微信账号已关联到花名册中的另一条记录（已停用），请联系管理员');
          throw err;
        });
      if (!updated) throw new UserError(`${show(entry)} 刚刚已由另一个企业微信账号登记；如有疑问，请联系管理员`);
      linked = updated;
    }

    const courtyards = await models.Courtyard.find({ _id: { $in: linked.courtyards } }).sort({ name: 1 });
    const lines = [
      entry.userId ? `你已登记为 ${bold(escapeMarkdown(show(linked)))}` : `✅ 登记成功：${bold(escapeMarkdown(show(linked)))}`,
      `分包楼院：${courtyards.length ? courtyards.map((c) => escapeMarkdown(c.name)).join('、') : '无'}`,
    ];
    const withheld = linked.roles.filter((r) => r !== 'cadre');
    if (withheld.length && linked.userIdSource !== 'roster') {
      lines.push(font('warning', '管理员、领导权限需要在花名册里填写企业微信账号（或由 ADMIN_USERIDS 指定）后才生效'));
    }
    lines.push('发送 `/帮助` 查看你可以用的命令');
    return lines.join('\n');
  },
});
