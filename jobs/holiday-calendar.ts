import { defineJob } from '../src/jobs/define-job';
import { loadPushGroups, pushTo } from '../src/jobs/targets';
import { holidayNotice } from '../src/render/holiday-notice';

/**
 * 节假日数据提醒 (1 December, 09:00; on a day off it waits for the next working morning):
 * when next year's official holidays and adjusted working days are not in the calendar yet,
 * tells the groups bound to the whole district — where the district admins are — which file
 * to add. One fire a year, coordinated through MongoDB like every job, so each group hears it
 * once a year; until the file is added, district admins also see it in their /查询.
 */
export default defineJob({
  name: 'holiday-calendar',
  title: '节假日数据提醒',
  schedule: '0 9 1 12 *',
  onDayOff: 'hold',
  async build({ models, calendar, firedAt }) {
    const lines = holidayNotice(calendar, firedAt);
    if (lines.length === 0) return [];
    const groups = (await loadPushGroups(models)).filter((g) => g.scope.kind === 'district');
    return groups.map((g) => pushTo(g, 'holidays', { type: 'markdown', content: ['## 节假日数据提醒', ...lines].join('\n') }));
  },
});
