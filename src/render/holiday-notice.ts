import { bold, font } from '../text/markdown';
import { HOLIDAYS_FILE, missingHolidayYears, type WorkingCalendar } from '../services/calendar';

/**
 * What district admins are told while a year's official holidays are missing (see
 * {@link missingHolidayYears}): in their /查询 and, once a year, in their group. Empty when
 * nothing is missing.
 */
export function holidayNotice(calendar: Pick<WorkingCalendar, 'covers'>, now: Date): string[] {
  const years = missingHolidayYears(calendar, now);
  if (years.length === 0) return [];
  const named = years.map((y) => `${y} 年`).join('、');
  const notices = years.map((y) => `《国务院办公厅关于${y}年部分节假日安排的通知》`).join('、');
  return [
    bold('节假日数据待补充：'),
    font('warning', `还没有 ${named}的法定节假日和调休上班日，这些日子暂按周一至周五算工作日，诉求反馈期限、逾期和推送时间会因此不准。`),
    `请服务器管理员按${notices}，把放假和调休上班的日期写入 \`$DATA_DIR/${HOLIDAYS_FILE}\`（格式同 \`src/services/calendar-cn.json\`，见 README「定时推送」），然后重启服务。`,
  ];
}
