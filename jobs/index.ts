import type { Job } from '../src/jobs/define-job';
import dailyBackup from './daily-backup';
import holidayCalendar from './holiday-calendar';
import monthlyAccounts from './monthly-accounts';
import monthlyInspection from './monthly-inspection';
import overdueAlerts from './overdue-alerts';
import visitReminder from './visit-reminder';
import weeklyRanking from './weekly-ranking';

/** Every scheduled job, in the order /推送 and `npm run job -- --help` list them. A new job is one file here and one line. */
export const allJobs: readonly Job[] = [weeklyRanking, overdueAlerts, visitReminder, monthlyInspection, monthlyAccounts, holidayCalendar, dailyBackup];
