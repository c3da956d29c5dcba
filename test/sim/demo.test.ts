import { Writable } from 'node:stream';
import { runDemo } from '../../src/sim/demo';

/**
 * `npm run demo` runs green: it starts a bot of its own (a child process on a temporary
 * DATA_DIR) and plays demo-script.txt strictly, so a refused or failed step makes it exit
 * non-zero. The story's key replies appear in order, the narration is shown, /帮助 once.
 */
it('npm run demo tells the campaign story with every step succeeding', async () => {
  let shown = '';
  const output = new Writable({
    write(chunk: Buffer, _enc, done) {
      shown += chunk.toString();
      done();
    },
  });
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn' };
  delete env.PORT;
  const code = await runDemo([], { output, env });
  // On a failed step the demo lists the steps that failed; name them in the assertion.
  expect({ code, failed: /\n有 \d+ 步没有成功：[\s\S]*$/.exec(shown)?.[0] }).toEqual({ code: 0, failed: undefined });

  const story = [
    '▶ 楼院通演示', // narration is printed
    '✅ 本群已绑定为 **四方小区** 工作群',
    '📝 已提交登记申请：**钱七（区住建局）**',
    '✅ 已批准：**钱七（区住建局）**',
    '✅ 项目已公示',
    '✅ #1 **楼道照明** 进度已更新',
    '✅ 已登记下沉：**钱七**',
    '✅ 已登记诉求 **#1**',
    '✅ **钱七** 已接单 **#1**',
    '✅ 已反馈 **#1**',
    '✅ 已办结 **#1**',
    '✅ 已评价 **#1**',
    '**📋 四方小区**',
    '**🏆 全区 · 楼院排名**',
    '1. 四方小区',
    '✅ **周排名** 已加入发送队列',
    '📊 **挂图作战看板 · 全区**',
    '▶ 演示结束',
  ];
  let at = 0;
  for (const line of story) {
    const found = shown.indexOf(line, at);
    expect({ line, found: found >= 0 }).toEqual({ line, found: true });
    at = found;
  }
  expect(shown.split('：/帮助\n').length - 1).toBe(1);
  expect(shown).not.toMatch(/^楼院通：\s*(❌|🚫|❓)/mu);
  expect(shown.trimEnd().split('\n').at(-1)).toMatch(/^▶ /);
}, 120_000);
