import { AUTO_PREFIX, createBackup, pruneBackups } from '../src/db/backup';
import { defineJob } from '../src/jobs/define-job';

/**
 * Every night at 03:30: with the embedded database, a backup archive into $DATA_DIR/backups
 * (`louyuantong-auto-<slot>.tar.gz`, the same format as `npm run backup`), keeping the newest
 * BACKUP_KEEP (default 7). Archives made by hand are never deleted. With MONGODB_URI it does
 * nothing: back up a real MongoDB with mongodump (README, 备份).
 */
export default defineJob({
  name: 'daily-backup',
  title: '每日备份',
  schedule: '30 3 * * *',
  onDayOff: 'hold',
  async perform(ctx, dryRun) {
    const dir = ctx.backupDir;
    if (!dir) return '未启用：数据库不是内置的（已设置 MONGODB_URI），请用 mongodump 备份';
    const keep = ctx.config.backupKeep;
    if (keep === 0) return '已关闭（BACKUP_KEEP=0）';
    if (dryRun) return `将把数据库备份到 ${dir}，保留最近 ${keep} 份自动备份`;
    const { file, manifest } = await createBackup(ctx.conn.db!, { dir, prefix: AUTO_PREFIX, nameAt: ctx.firedAt });
    const removed = pruneBackups(dir, AUTO_PREFIX, keep);
    const docs = manifest.collections.reduce((n, c) => n + c.count, 0);
    return `已备份到 ${file}（${manifest.collections.length} 个集合，${docs} 条记录）${removed.length ? `，删除了较早的 ${removed.length} 份` : ''}`;
  },
});
