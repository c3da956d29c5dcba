import { minimumDeliveryMs, runPushScenario } from '../../bench/push-delivery';
import { testDbUri } from '../helpers/db';

describe('the push delivery benchmark', () => {
  it('knows the earliest the last push can reach a robot at 20 a minute', () => {
    expect(minimumDeliveryMs(1)).toBe(0);
    expect(minimumDeliveryMs(20)).toBe(0);
    expect(minimumDeliveryMs(21)).toBe(60_000);
    expect(minimumDeliveryMs(200)).toBe(9 * 60_000);
  });

  it('drives the real outbox into the sink and counts what a reader needs (smoke size)', async () => {
    const f = await runPushScenario(testDbUri(), { messages: 45, robots: 2 });
    expect(f.delivered).toBe(45);
    expect(f.missing).toBe(0);
    expect(f.deliveredTwice).toBe(0);
    expect(f.rateLimited).toBe(0);
    // 23 pushes on one robot: the last cannot go before the second minute.
    expect(f.minimumMs).toBe(60_000);
    expect(f.simulatedMs).toBeGreaterThanOrEqual(f.minimumMs);
  });
});
