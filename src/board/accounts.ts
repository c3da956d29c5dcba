import type { Models } from '../db/models';
import { KIND_LABELS, formatYuan, monthLabel, monthOf, publicAccounts, type PublicAccounts } from '../services/public-accounts';
import type { BoardAccounts, BoardAccountsProvider } from './data';

function shown(a: PublicAccounts): BoardAccounts {
  return {
    month: monthLabel(a.month),
    lines: a.entries.map((e) => ({ kind: KIND_LABELS[e.kind], item: e.item, yuan: formatYuan(e.amountFen), ...(e.note ? { note: e.note } : {}) })),
    totals: { income: formatYuan(a.incomeFen), spending: formatYuan(a.expenseFen), balance: formatYuan(a.balanceFen) },
  };
}

/**
 * The board's 事务公开: this month's accounts once anything is recorded for it, else last
 * month's (what the 1st-of-the-month 公示 covers), else nothing (本月尚未公开收支).
 */
export function boardAccounts(models: Models): BoardAccountsProvider {
  return async (courtyardId, now) => {
    for (const month of [monthOf(now), monthOf(now, -1)]) {
      const accounts = await publicAccounts(models, courtyardId, month);
      if (accounts.entries.length) return shown(accounts);
    }
    return null;
  };
}
