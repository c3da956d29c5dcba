/**
 * Two messages that want the same change, sent at the same moment (Promise.all through the
 * real callback path), 20 rounds for each state-changing command: exactly one wins, the
 * other is told who won, and the audit log holds one entry for the winning change — never
 * two "✅" for one request, one project, one roster entry.
 *
 * Each row prepares a fresh record for its round (`setup`), sends its pair, and checks the
 * replies and the database (`check`). A command that changes state and has no row here is
 * listed in RACE_FREE with the reason its concurrent uses cannot conflict.
 */
import type { Types } from 'mongoose';
import { allCommands } from '../../commands';
import { nextSequence } from '../../src/services/sequence';
import { createTestBot, type BasicFixture, type TestBot, type TestUser } from '../helpers/bot';

jest.setTimeout(240_000);

const ROUNDS = 20;

let bot: TestBot;
let f: BasicFixture;
/** A second cadre of 东方花园, to race 张三. */
const zhou: TestUser = { userId: 'zhou', name: '周七' };
/** The admin of 中心路街道. */
const zcAdmin: TestUser = { userId: 'zc-admin', name: '钱中心' };
let round = 0;

beforeAll(async () => {
  bot = await createTestBot();
  f = await bot.seed.basic();
  await bot.seed.cadre({ name: '周七', unit: '区民政局', userId: 'zhou', courtyards: [f.courtyards.dongfang] });
  await bot.seed.cadre({ name: '钱中心', unit: '中心路街道办事处', userId: 'zc-admin', roles: ['admin'], scope: f.streets.zhongxin });
});
afterAll(() => bot.close());

type Send = [user: TestUser, chat: string, line: string];

interface Round {
  /** The two messages sent at once. */
  pair: [Send, Send];
  /** Checks the two replies (in the order sent) and the stored state; returns problems. */
  check(replies: [string, string]): Promise<string[]>;
}

/** Audit entries of the record (all ops), not undone. */
const auditCount = (modelName: string, docId: Types.ObjectId, op?: 'create' | 'update' | 'delete') =>
  bot.models.AuditEntry.countDocuments({ modelName, docId, ...(op ? { op } : {}) });

/** `[winner, loser]` indexes when exactly one reply matches `won`, else null. */
function oneWinner(replies: [string, string], won: RegExp): [number, number] | null {
  const hits = replies.map((r) => won.test(r));
  if (hits[0] === hits[1]) return null;
  return hits[0] ? [0, 1] : [1, 0];
}

/** The common check: one reply matches `won`, the other `lost(winnerName)`; then `more`. */
async function exclusive(
  replies: [string, string],
  names: [string, string],
  won: RegExp,
  lost: (winner: string) => RegExp,
  more: (winner: number) => Promise<string[]>,
): Promise<string[]> {
  const w = oneWinner(replies, won);
  if (!w) return [`not exactly one winner: ${JSON.stringify(replies.map((r) => r.split('\n')[0]))}`];
  const [winner, loser] = w;
  const problems: string[] = [];
  if (!lost(names[winner]!).test(replies[loser]!)) problems.push(`loser not told who won (${names[winner]}): ${replies[loser]!.split('\n')[0]}`);
  return [...problems, ...(await more(winner))];
}

async function newRequest(fields: Record<string, unknown> = {}) {
  const now = bot.now();
  return bot.models.ResidentRequest.create({
    no: await nextSequence(bot.models, 'request'),
    courtyard: f.courtyards.dongfang._id,
    street: f.streets.jiyuan._id,
    text: `第${++round}轮的诉求`,
    reporter: { userId: 'stranger', name: '路人' },
    status: '点单',
    createdAt: now,
    dueAt: new Date(now.getTime() + 2 * 86_400_000),
    ...fields,
  });
}

async function newProject() {
  return bot.models.Project.create({
    no: await nextSequence(bot.models, 'project'),
    courtyard: f.courtyards.dongfang._id,
    street: f.streets.jiyuan._id,
    category: '工程',
    title: `第${++round}轮项目`,
    owner: f.cadres.zhangsan._id,
    deadline: new Date('2020-09-30T16:00:00Z'),
    createdAt: bot.now(),
  });
}

const ROWS: Record<string, () => Promise<Round>> = {
  async 接单() {
    const r = await newRequest();
    return {
      pair: [
        [f.users.zhangsan, f.groups.dongfang, `/接单 #${r.no}`],
        [zhou, f.groups.dongfang, `/接单 #${r.no}`],
      ],
      check: (replies) =>
        exclusive(replies, ['张三', '周七'], /✅ .*已接单/, (w) => new RegExp(`#${r.no} 已由 ${w} 接单`), async (w) => {
          const stored = await bot.models.ResidentRequest.findById(r._id).lean();
          const wanted = w === 0 ? f.cadres.zhangsan._id : (await bot.models.Cadre.findOne({ userId: 'zhou' }))!._id;
          const problems = stored?.assignee?.equals(wanted) ? [] : ['stored assignee is not the winner'];
          if ((await auditCount('ResidentRequest', r._id)) !== 1) problems.push(`${await auditCount('ResidentRequest', r._id)} audit entries`);
          return problems;
        }),
    };
  },

  // Feedback may be given more than once: both are kept, but only one takes the untaken request over.
  async 反馈() {
    const r = await newRequest();
    return {
      pair: [
        [f.users.zhangsan, f.groups.dongfang, `/反馈 #${r.no} 已联系电工`],
        [zhou, f.groups.dongfang, `/反馈 #${r.no} 明天上门`],
      ],
      async check(replies) {
        const problems: string[] = [];
        const first = oneWinner(replies, /按时反馈/);
        if (!first) problems.push(`not exactly one first feedback: ${JSON.stringify(replies.map((x) => x.split('\n')[0]))}`);
        else if (!/第 2 次反馈/.test(replies[first[1]]!)) problems.push(`the other is not the 2nd: ${replies[first[1]]!.split('\n')[0]}`);
        const stored = await bot.models.ResidentRequest.findById(r._id).lean();
        if (stored?.feedbacks.length !== 2) problems.push(`${stored?.feedbacks.length} feedbacks kept`);
        const zhouId = (await bot.models.Cadre.findOne({ userId: 'zhou' }))!._id;
        const firstBy = first?.[0] === 0 ? f.cadres.zhangsan._id : zhouId;
        if (first && !stored?.assignee?.equals(firstBy)) problems.push('the assignee is not the one whose feedback came first');
        if ((await auditCount('ResidentRequest', r._id)) !== 2) problems.push(`${await auditCount('ResidentRequest', r._id)} audit entries (want one per feedback)`);
        return problems;
      },
    };
  },

  async 办结() {
    const r = await newRequest({ status: '已接单', assignee: f.cadres.zhangsan._id, acceptedAt: bot.now() });
    return {
      pair: [
        [f.users.zhangsan, f.groups.dongfang, `/办结 #${r.no} 已更换灯泡`],
        [f.users.jyAdmin, f.groups.dongfang, `/办结 #${r.no} 已修好`],
      ],
      check: (replies) =>
        exclusive(replies, ['张三', '赵街道'], /✅ 已办结/, (w) => new RegExp(`#${r.no} 已由 ${w} 办结`), async (w) => {
          const stored = await bot.models.ResidentRequest.findById(r._id).lean();
          const problems = stored?.closedBy === [f.users.zhangsan, f.users.jyAdmin][w]!.userId ? [] : ['stored closer is not the winner'];
          if ((await auditCount('ResidentRequest', r._id)) !== 1) problems.push(`${await auditCount('ResidentRequest', r._id)} audit entries`);
          return problems;
        }),
    };
  },

  async 评价() {
    const r = await newRequest({ status: '已办结', closedAt: bot.now(), feedbackAt: bot.now(), closedBy: 'zhangsan' });
    return {
      pair: [
        [f.users.stranger, f.groups.dongfang, `/评价 #${r.no} 满意`],
        [f.users.zhangsan, f.groups.dongfang, `/评价 #${r.no} 不满意`],
      ],
      check: (replies) =>
        exclusive(replies, ['路人', '张三'], /✅ 已评价/, (w) => new RegExp(`#${r.no} 刚刚已由 ${w} 评价为「${w === '路人' ? '满意' : '不满意'}」`), async (w) => {
          const stored = await bot.models.ResidentRequest.findById(r._id).lean();
          const problems = stored?.rating === ['满意', '不满意'][w] ? [] : [`stored rating ${stored?.rating} is not the winner's`];
          if ((await auditCount('ResidentRequest', r._id)) !== 1) problems.push(`${await auditCount('ResidentRequest', r._id)} audit entries`);
          return problems;
        }),
    };
  },

  async '项目 完成'() {
    const p = await newProject();
    return {
      pair: [
        [f.users.zhangsan, f.groups.dongfang, `/项目 完成 #${p.no}`],
        [f.users.admin, f.groups.dongfang, `/项目 完成 #${p.no} 已验收`],
      ],
      check: (replies) =>
        exclusive(replies, ['张三', '王管理'], /🎉 项目/, (w) => new RegExp(`#${p.no} .*刚刚已由 ${w} 完成`), async (w) => {
          const stored = await bot.models.Project.findById(p._id).lean();
          const problems = stored?.completedBy === [f.users.zhangsan, f.users.admin][w]!.userId ? [] : ['stored completer is not the winner'];
          if ((await auditCount('Project', p._id)) !== 1) problems.push(`${await auditCount('Project', p._id)} audit entries on the project`);
          const reports = await bot.models.ProgressReport.countDocuments({ project: p._id });
          if (reports !== 1) problems.push(`${reports} progress reports`);
          return problems;
        }),
    };
  },

  async '项目 延期'() {
    const p = await newProject();
    return {
      pair: [
        [f.users.zhangsan, f.groups.dongfang, `/项目 延期 #${p.no} 10月15日 原因=材料未到`],
        [f.users.admin, f.groups.dongfang, `/项目 延期 #${p.no} 10月20日 原因=雨季停工`],
      ],
      check: (replies) =>
        exclusive(replies, ['张三', '王管理'], /⏳ 项目/, (w) => new RegExp(`#${p.no} .*刚刚已由 ${w} 延期至`), async () => {
          const stored = await bot.models.Project.findById(p._id).lean();
          const problems = stored?.postponements.length === 1 ? [] : [`${stored?.postponements.length} postponements`];
          if ((await auditCount('Project', p._id)) !== 1) problems.push(`${await auditCount('Project', p._id)} audit entries`);
          return problems;
        }),
    };
  },

  // The owner and an admin cancel at once: one cancellation stands, the other is told whose.
  async '项目 取消'() {
    const p = await newProject();
    return {
      pair: [
        [f.users.zhangsan, f.groups.dongfang, `/项目 取消 #${p.no} 原因=重复录入`],
        [f.users.admin, f.groups.dongfang, `/项目 取消 #${p.no} 原因=录错楼院`],
      ],
      check: (replies) =>
        exclusive(replies, ['张三', '王管理'], /✅ 已取消项目/, (w) => new RegExp(`#${p.no} .*已由 ${w} 于 .*取消`), async (w) => {
          const stored = await bot.models.Project.findById(p._id).lean();
          const problems = stored?.cancelledBy === [f.users.zhangsan, f.users.admin][w]!.userId ? [] : ['stored canceller is not the winner'];
          if ((await auditCount('Project', p._id)) !== 1) problems.push(`${await auditCount('Project', p._id)} audit entries`);
          return problems;
        }),
    };
  },

  // Two admins give one project two different owners at once: one edit stands, kept once in its history.
  async '项目 修改'() {
    const p = await newProject();
    return {
      pair: [
        [f.users.admin, f.groups.dongfang, `/项目 修改 #${p.no} 责任人=李四`],
        [f.users.jyAdmin, f.groups.dongfang, `/项目 修改 #${p.no} 责任人=周七`],
      ],
      check: (replies) =>
        exclusive(replies, ['王管理', '赵街道'], /✏️ 已修改项目/, (w) => new RegExp(`#${p.no} 刚刚已由 ${w} 修改（责任人）`), async (w) => {
          const stored = await bot.models.Project.findById(p._id).lean();
          const zhouId = (await bot.models.Cadre.findOne({ userId: 'zhou' }))!._id;
          const problems = stored?.owner?.equals([f.cadres.lisi._id, zhouId][w]!) ? [] : ['stored owner is not the winner’s'];
          if (stored?.edits.length !== 1) problems.push(`${stored?.edits.length} edits kept`);
          if ((await auditCount('Project', p._id)) !== 1) problems.push(`${await auditCount('Project', p._id)} audit entries`);
          return problems;
        }),
    };
  },

  async '项目 新建'() {
    const title = `第${++round}轮新项目`;
    const line = `/项目 新建 ${title} 类别=工程 截止=9月30日 责任人=张三`;
    return {
      pair: [
        [f.users.zhangsan, f.groups.dongfang, line],
        [f.users.admin, f.groups.dongfang, line],
      ],
      check: (replies) =>
        exclusive(replies, ['张三', '王管理'], /✅ 项目已公示/, (w) => new RegExp(`${title} 刚刚已由 ${w} 新建`), async () => {
          const made = await bot.models.Project.find({ title }).lean();
          const problems = made.length === 1 ? [] : [`${made.length} projects`];
          if (made[0] && (await auditCount('Project', made[0]._id)) !== 1) problems.push('not one audit entry');
          return problems;
        }),
    };
  },

  // Two admins hand one untaken request to two cadres at once: one hand-over stands.
  async '诉求 转派'() {
    const r = await newRequest();
    return {
      pair: [
        [f.users.admin, f.groups.dongfang, `/诉求 转派 #${r.no} 给=李四`],
        [f.users.jyAdmin, f.groups.dongfang, `/诉求 转派 #${r.no} 给=周七`],
      ],
      check: (replies) =>
        exclusive(replies, ['王管理', '赵街道'], /✅ 已转派诉求/, (w) => new RegExp(`#${r.no} 刚刚已由 ${w} 转派给 ${w === '王管理' ? '李四' : '周七'}`), async (w) => {
          const stored = await bot.models.ResidentRequest.findById(r._id).lean();
          const zhouId = (await bot.models.Cadre.findOne({ userId: 'zhou' }))!._id;
          const problems = stored?.assignee?.equals([f.cadres.lisi._id, zhouId][w]!) ? [] : ['stored assignee is not the winner’s'];
          if (stored?.transfers.length !== 1) problems.push(`${stored?.transfers.length} transfers kept`);
          if ((await auditCount('ResidentRequest', r._id)) !== 1) problems.push(`${await auditCount('ResidentRequest', r._id)} audit entries`);
          return problems;
        }),
    };
  },

  async '诉求 作废'() {
    const r = await newRequest();
    return {
      pair: [
        [f.users.admin, f.groups.dongfang, `/诉求 作废 #${r.no} 原因=重复`],
        [f.users.jyAdmin, f.groups.dongfang, `/诉求 作废 #${r.no} 原因=无效`],
      ],
      check: (replies) =>
        exclusive(replies, ['王管理', '赵街道'], /🗑 已作废诉求/, (w) => new RegExp(`#${r.no} 已由 ${w} 作废`), async (w) => {
          const stored = await bot.models.ResidentRequest.findById(r._id).lean();
          const problems = stored?.voidedBy === [f.users.admin, f.users.jyAdmin][w]!.userId ? [] : ['stored voider is not the winner'];
          if ((await auditCount('ResidentRequest', r._id)) !== 1) problems.push(`${await auditCount('ResidentRequest', r._id)} audit entries`);
          return problems;
        }),
    };
  },

  async '节点 完成'() {
    const m = await bot.models.Milestone.create({ title: `第${++round}轮节点`, deadline: new Date('2020-10-09T16:00:00Z'), scope: { kind: 'district' }, createdAt: bot.now() });
    return {
      pair: [
        [f.users.zhangsan, f.groups.dongfang, `/节点 完成 ${m.title}`],
        [zhou, f.groups.dongfang, `/节点 完成 ${m.title}`],
      ],
      check: (replies) =>
        exclusive(replies, ['张三', '周七'], /✅ \*\*东方花园\*\* 完成节点/, (w) => new RegExp(`「${m.title}」刚刚已由 ${w} 标记完成`), async () => {
          const stored = await bot.models.Milestone.findById(m._id).lean();
          const problems = stored?.done.length === 1 ? [] : [`${stored?.done.length} done entries`];
          if ((await auditCount('Milestone', m._id)) !== 1) problems.push(`${await auditCount('Milestone', m._id)} audit entries`);
          return problems;
        }),
    };
  },

  async '节点 新建'() {
    const title = `第${++round}轮新节点`;
    const line = `/节点 新建 ${title} 截止=10月10日`;
    return {
      pair: [
        [f.users.admin, f.groups.jiyuan, line],
        [f.users.jyAdmin, f.groups.jiyuan, line],
      ],
      check: (replies) =>
        exclusive(replies, ['王管理', '赵街道'], /✅ 节点已设定/, (w) => new RegExp(`「${title}」刚刚已由 ${w} 设定`), async () => {
          const made = await bot.models.Milestone.find({ title }).lean();
          return made.length === 1 ? [] : [`${made.length} milestones`];
        }),
    };
  },

  // The same scorer twice at once: one creates the score, the other replaces it and says what it replaced.
  async 评分() {
    await bot.models.InspectionScore.deleteMany({});
    return {
      pair: [
        [f.users.leader, '', '/评分 中心路 91'],
        [f.users.leader, '', '/评分 中心路 85'],
      ],
      async check(replies) {
        const created = oneWinner(replies, /✅ 已记录/);
        if (!created) return [`not exactly one creation: ${JSON.stringify(replies.map((x) => x.split('\n')[0]))}`];
        const [first, second] = created;
        const scores = ['91', '85'];
        const problems: string[] = [];
        if (!replies[second]!.includes(`已更新（原 ${scores[first]} 分）`)) problems.push(`the replacing reply does not name the replaced score: ${replies[second]!.split('\n')[0]}`);
        const stored = await bot.models.InspectionScore.find({ street: f.streets.zhongxin._id }).lean();
        if (stored.length !== 1 || String(stored[0]!.score) !== scores[second]) problems.push(`stored ${JSON.stringify(stored.map((s) => s.score))}`);
        if (stored[0] && (await auditCount('InspectionScore', stored[0]._id, 'create')) !== 1) problems.push('not one create in the audit log');
        return problems;
      },
    };
  },

  // A double-tapped /撤销 undoes the one command once.
  async 撤销() {
    bot.advance(11 * 60_000); // earlier rounds' records are out of the undo window
    const line = `/诉求 第${++round}轮撤销`;
    await bot.send(f.users.zhangsan, f.groups.dongfang, line);
    const r = (await bot.models.ResidentRequest.findOne({ text: line.slice(4) }))!;
    return {
      pair: [
        [f.users.zhangsan, f.groups.dongfang, '/撤销'],
        [f.users.zhangsan, f.groups.dongfang, '/撤销'],
      ],
      check: (replies) =>
        exclusive(replies, ['张三', '张三'], /↩️ 已撤销/, () => /刚刚已撤销|你没有可以撤销的记录|只能撤销/, async () => {
          const problems = (await bot.models.ResidentRequest.findById(r._id)) ? ['the request is still there'] : [];
          const undone = await bot.models.AuditEntry.countDocuments({ docId: r._id, undoneAt: { $ne: null } });
          if (undone !== 1) problems.push(`${undone} entries marked undone`);
          return problems;
        }),
    };
  },

  // Two street offices' admins bind one new group to their own courtyards: whichever order,
  // one binding stands (the other is refused by the guard, or by lacking authority over it).
  async '绑定 楼院'() {
    const chat = `grp-race-${++round}`;
    await bot.seed.group(chat, f.courtyards.longhai).then((g) => bot.models.Group.updateOne({ _id: g._id }, { $unset: { scope: 1, purpose: 1 } }));
    return {
      pair: [
        [f.users.jyAdmin, chat, '/绑定 楼院 东方花园'],
        [zcAdmin, chat, '/绑定 楼院 水泵厂家属院'],
      ],
      check: (replies) =>
        exclusive(replies, ['赵街道', '钱中心'], /✅ 本群已绑定为/, (w) => new RegExp(`本群刚刚已由 ${w} 绑定为|改绑需要`), async (w) => {
          const g = await bot.models.Group.findOne({ chatId: chat }).lean();
          const want = [f.courtyards.dongfang, f.courtyards.shuibeng][w]!._id;
          const problems = g?.scope?.refId?.equals(want) ? [] : ['stored binding is not the winner’s'];
          if (g && (await auditCount('Group', g._id)) !== 1) problems.push(`${await auditCount('Group', g._id)} audit entries`);
          return problems;
        }),
    };
  },

  async '登记 申请'() {
    const entry = await bot.seed.cadre({ name: `申请人${++round}`, unit: '区教育局', courtyards: [f.courtyards.dongfang] });
    const line = `/登记 ${entry.name} 区教育局`;
    return {
      pair: [
        [{ userId: `claim-a-${round}` }, '', line],
        [{ userId: `claim-b-${round}` }, '', line],
      ],
      check: (replies) =>
        exclusive(replies, ['a', 'b'], /📝 已提交登记申请/, () => /已有一份待审核的登记申请/, async () => {
          const claims = await bot.models.RegistrationClaim.find({ cadre: entry._id }).lean();
          const problems = claims.length === 1 ? [] : [`${claims.length} claims filed`];
          if (claims[0] && (await auditCount('RegistrationClaim', claims[0]._id)) !== 1) problems.push('not one audit entry');
          return problems;
        }),
    };
  },

  // The street's admin approves while the district's rejects: one decision stands.
  async '登记 批准'() {
    const entry = await bot.seed.cadre({ name: `待批${++round}`, unit: '区教育局', courtyards: [f.courtyards.dongfang] });
    await bot.send({ userId: `claimant-${round}` }, '', `/登记 ${entry.name} 区教育局`);
    return {
      pair: [
        [f.users.jyAdmin, '', `/登记 批准 ${entry.name}`],
        [f.users.admin, '', `/登记 驳回 ${entry.name}`],
      ],
      check: (replies) =>
        exclusive(replies, ['赵街道', '王管理'], /✅ 已批准|❎ 已驳回/, (w) => new RegExp(`已由 ${w} (批准|驳回)`), async (w) => {
          const claim = await bot.models.RegistrationClaim.findOne({ cadre: entry._id }).lean();
          const linked = (await bot.models.Cadre.findById(entry._id).lean())?.userId;
          const problems: string[] = [];
          if (claim?.status !== ['approved', 'rejected'][w]) problems.push(`claim ${claim?.status}`);
          if (Boolean(linked) !== (w === 0)) problems.push(`entry ${linked ? 'linked' : 'not linked'}`);
          if (claim && (await auditCount('RegistrationClaim', claim._id)) !== 2) problems.push(`${await auditCount('RegistrationClaim', claim._id)} audit entries on the claim (want the filing and one decision)`);
          return problems;
        }),
    };
  },

  // The same organisation change twice: one records it (with its history entry), the other
  // finds it already so. Different changes sent at once all go in: test/commands/org.test.ts.
  async 组织() {
    const teams = ++round;
    const yard = () => bot.models.Courtyard.findById(f.courtyards.dongfang._id).lean();
    const before = (await yard())!;
    const audits = await auditCount('Courtyard', f.courtyards.dongfang._id);
    return {
      pair: [
        [f.users.zhangsan, f.groups.dongfang, `/组织 志愿队 ${teams}`],
        [zhou, f.groups.dongfang, `/组织 志愿队 ${teams}`],
      ],
      async check(replies) {
        const w = oneWinner(replies, /✅ 已记录/);
        if (!w) return [`not exactly one winner: ${JSON.stringify(replies.map((r) => r.split('\n')[0]))}`];
        const problems: string[] = [];
        if (!replies[w[1]]!.includes(`已是 ${teams} 支，无需更改`)) problems.push(`loser: ${replies[w[1]]!.split('\n')[0]}`);
        const after = (await yard())!;
        if (after.orgs.volunteerTeams !== teams) problems.push(`stored ${after.orgs.volunteerTeams} teams`);
        if (after.orgHistory.length !== before.orgHistory.length + 1) problems.push(`${after.orgHistory.length - before.orgHistory.length} history entries`);
        const added = (await auditCount('Courtyard', f.courtyards.dongfang._id)) - audits;
        if (added !== 1) problems.push(`${added} audit entries`);
        return problems;
      },
    };
  },
  // Two admins add the same person at once: one entry (the unique name+unit), the other is told.
  async '干部 新增'() {
    const name = `新人${++round}`;
    const line = `/干部 新增 ${name} 区教育局 楼院=东方花园`;
    return {
      pair: [
        [f.users.jyAdmin, '', line],
        [f.users.admin, '', line],
      ],
      check: (replies) =>
        exclusive(replies, ['赵街道', '王管理'], /✅ .*已加入花名册/, (w) => new RegExp(`刚刚已由 ${w} 加入花名册|已在花名册中`), async () => {
          const made = await bot.models.Cadre.find({ name }).lean();
          const problems = made.length === 1 ? [] : [`${made.length} entries`];
          if (made[0] && (await auditCount('Cadre', made[0]._id)) !== 1) problems.push('not one audit entry');
          return problems;
        }),
    };
  },

  // The same reassignment twice at once: one dated change, the other finds it made.
  async '干部 调整'() {
    const person = await bot.seed.cadre({ name: `调整${++round}`, unit: '区教育局', courtyards: [f.courtyards.dongfang] });
    const line = `/干部 调整 ${person.name} 楼院=陇海安居`;
    return {
      pair: [
        [f.users.jyAdmin, '', line],
        [f.users.admin, '', line],
      ],
      check: (replies) =>
        exclusive(replies, ['赵街道', '王管理'], /✅ 已调整/, (w) => new RegExp(`刚刚已由 ${w} 调整为|无需更改`), async () => {
          const stored = (await bot.models.Cadre.findById(person._id).lean())!;
          const problems = stored.courtyards.map(String).join() === String(f.courtyards.longhai._id) ? [] : ['courtyards not as set'];
          if (stored.assignments.length !== 2) problems.push(`${stored.assignments.length} assignment stretches`);
          if ((await auditCount('Cadre', person._id)) !== 1) problems.push(`${await auditCount('Cadre', person._id)} audit entries`);
          return problems;
        }),
    };
  },

  async '干部 停用'() {
    const person = await bot.seed.cadre({ name: `停用${++round}`, unit: '区教育局', courtyards: [f.courtyards.dongfang] });
    return {
      pair: [
        [f.users.jyAdmin, '', `/干部 停用 ${person.name}`],
        [f.users.admin, '', `/干部 停用 ${person.name}`],
      ],
      check: (replies) =>
        exclusive(replies, ['赵街道', '王管理'], /⛔ 已停用/, (w) => new RegExp(`刚刚已由 ${w} 停用|已于 .* 停用`), async () => {
          const stored = (await bot.models.Cadre.findById(person._id).lean())!;
          const problems = stored.active ? ['still active'] : [];
          if ((await auditCount('Cadre', person._id)) !== 1) problems.push(`${await auditCount('Cadre', person._id)} audit entries`);
          return problems;
        }),
    };
  },

  // Two admins void the same record at once: one void, one removal; the other is told who.
  async '作废 记录'() {
    const now = bot.now();
    const visit = await bot.models.Visit.create({ cadre: f.cadres.zhangsan._id, courtyard: f.courtyards.dongfang._id, street: f.streets.jiyuan._id, date: now, hours: 4, createdAt: now });
    const no = await nextSequence(bot.models, 'record');
    const ref = await bot.models.RecordRef.create({
      no, key: `Visit:${String(visit._id)}`, kind: 'visit', docId: visit._id, cadre: f.cadres.zhangsan._id,
      courtyard: f.courtyards.dongfang._id, street: f.streets.jiyuan._id, at: now, summary: `第${++round}轮下沉`, createdAt: now,
    });
    return {
      pair: [
        [f.users.jyAdmin, '', `/作废 记录 #${no} 原因=重复`],
        [f.users.admin, '', `/作废 记录 #${no} 原因=错误`],
      ],
      check: (replies) =>
        exclusive(replies, ['赵街道', '王管理'], /🗑️ 已作废/, (w) => new RegExp(`#${no} (刚刚已由 ${w} 作废|已于 .* 由 ${w} 作废)`), async (w) => {
          const stored = (await bot.models.RecordRef.findById(ref._id).lean())!;
          const problems = stored.voidedBy === ['jy-admin', 'admin'][w] ? [] : [`voided by ${stored.voidedBy}`];
          if (await bot.models.Visit.countDocuments({ _id: visit._id })) problems.push('the visit is still there');
          if ((await auditCount('RecordRef', ref._id)) !== 1) problems.push(`${await auditCount('RecordRef', ref._id)} audit entries on the number`);
          if ((await auditCount('Visit', visit._id, 'delete')) !== 1) problems.push('not one removal');
          return problems;
        }),
    };
  },

  // Two admins void the same public-account entry at once: one void, the other told who.
  async '公开 作废'() {
    const entry = await bot.models.AccountEntry.create({
      no: await nextSequence(bot.models, 'account'), courtyard: f.courtyards.dongfang._id, street: f.streets.jiyuan._id, month: '2020-09',
      kind: 'income', item: `第${++round}轮停车费`, amountFen: 100, createdAt: bot.now(), createdBy: 'admin',
    });
    return {
      pair: [
        [f.users.jyAdmin, f.groups.dongfang, `/公开 作废 #${entry.no} 原因=重复`],
        [f.users.admin, f.groups.dongfang, `/公开 作废 #${entry.no} 原因=错误`],
      ],
      check: (replies) =>
        exclusive(replies, ['赵街道', '王管理'], /🗑️ 已作废/, (w) => new RegExp(`#${entry.no} (刚刚已由 ${w} 作废|已于 .* 由 ${w} 作废)`), async (w) => {
          const stored = (await bot.models.AccountEntry.findById(entry._id).lean())!;
          const problems = stored.status === 'void' && stored.voidedBy === ['jy-admin', 'admin'][w] ? [] : [`${stored.status}, voided by ${stored.voidedBy}`];
          if ((await auditCount('AccountEntry', entry._id, 'update')) !== 1) problems.push(`${await auditCount('AccountEntry', entry._id, 'update')} audit entries`);
          return problems;
        }),
    };
  },
};

/** State-changing commands whose concurrent uses cannot conflict, and why. */
const RACE_FREE: Record<string, string> = {
  帮助: 'reads only',
  '绑定 查看': 'reads only',
  '绑定 街道': 'the same guarded write as 绑定 楼院 (bindGroup), raced there',
  '绑定 全区': 'the same guarded write as 绑定 楼院 (bindGroup), raced there',
  '绑定 领导群': 'the same guarded write as 绑定 楼院 (bindGroup), raced there',
  '登记 驳回': 'raced against 批准 in the 登记 批准 row',
  '登记 解除': 'one guarded write (the entry still linked to that account); a second 解除 finds nothing to unlink',
  '项目 列表': 'reads only',
  '项目 详情': 'reads only',
  '节点 列表': 'reads only',
  '节点 查看': 'reads only',
  查询: 'reads only',
  排名: 'reads only',
  逾期: 'reads only',
  '看板 链接': 'reads only (signs a link)',
  '干部 列表': 'reads only',
  记录: 'reads; the numbers it gives are one conditional upsert per record (two listings at once show the same numbers: records.test.ts)',
  '看板 重置': 'one $inc of the group\'s link generation; two resets revoke the same links',
  '公示码 二维码': 'reads only (signs the board link; the poster push is keyed by the message)',
  '公示码 重置': "one audited $inc of the courtyard's board generation; two resets both void the posted QR codes",
  导出: 'sends a file; two requests send two files',
  进度: 'every report is kept; the guarded part (completion at 100%) is the /项目 完成 row',
  下沉: 'every visit is kept',
  照片: "one upsert of the sender's window in that chat (unique chat + sender): the later of two wins; a picture takes a once window in one conditional findOneAndUpdate (raced in test/photos/windows.test.ts)",
  '诉求 登记': 'every request is kept under its own number; the rate limit has its own race test (request.test.ts)',
  '推送 周排名': 'runs a job now; its run is coordinated through MongoDB (src/jobs/run-coordinator.ts) and a period is published once (unique index; test/services/snapshots.test.ts)',
  '推送 逾期': 'runs a job now; its run is coordinated through MongoDB (src/jobs/run-coordinator.ts)',
  '推送 下沉提醒': 'runs a job now; its run is coordinated through MongoDB (src/jobs/run-coordinator.ts)',
  '推送 月度评分': 'runs a job now; its run is coordinated through MongoDB and a period is published once (test/services/snapshots.test.ts)',
  '推送 节假日数据提醒': 'runs a job now; its run is coordinated through MongoDB (src/jobs/run-coordinator.ts)',
  '推送 重新发布': 'a new version is one insert under a unique (period, version) index; raced in test/commands/push.test.ts',
  '公开 收入': 'every entry is kept under its own number (a retried message creates one: msgId)',
  '公开 支出': 'every entry is kept under its own number (a retried message creates one: msgId)',
  '公开 列表': 'reads only',
  '推送 事务公开': 'runs a job now; its run is coordinated through MongoDB (src/jobs/run-coordinator.ts)',
};

const paths = () => allCommands.flatMap((c) => (c.subcommands.length ? c.subcommands.map((s) => `${c.name} ${s.name}`) : [c.name]));

it('has a row (or a reason for none) for every command', () => {
  expect(paths().filter((p) => !(p in ROWS) && !(p in RACE_FREE))).toEqual([]);
});

describe.each(Object.keys(ROWS))('/%s sent twice at once', (name) => {
  it(`has exactly one winner in each of ${ROUNDS} rounds`, async () => {
    const problems: string[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const { pair, check } = await ROWS[name]!();
      const replies = (await Promise.all(pair.map(([user, chat, line]) => bot.send(user, chat, line)))) as [string, string];
      for (const p of await check(replies)) problems.push(`round ${i + 1}: ${p}`);
    }
    expect(problems).toEqual([]);
  });
});
