/** How the outbox paces a robot, waits between attempts, and reads WeCom's refusals. */
import { OutboundRefusedError, WeComApiError, WeComNetworkError } from '../../errors';

/**
 * The pace window. WeCom allows 20 pushes a minute per robot; one second more than a minute
 * absorbs the delay between our reservation and WeCom's receipt.
 */
export const PACE_WINDOW_MS = 61_000;
const BACKOFF_BASE_MS = 5_000;
const BACKOFF_MAX_MS = 15 * 60_000;
/** Transient refusals, worth another try (path/90313: -1 busy; 45009 rate limit; 45033 too many concurrent). */
const RETRY_ERRCODES = new Set([-1, 45009, 45033]);
/** The robot is gone: invalid webhook / removed (93000), disabled (93004), not in the group (93008). */
const RETIRE_ERRCODES = new Set([93000, 93004, 93008]);

/** What a WeCom error says, for lastError and logs (the client keeps secrets out of it). */
export function describeError(err: unknown): string {
  if (err instanceof WeComApiError) return `${err.errcode} ${err.errmsg} (${err.api})`;
  if (err instanceof Error) return err.message;
  return String(err);
}

/** The wait before attempt `attempt + 1`: exponential with jitter (`random` in [0, 1)). */
export function backoffMs(attempt: number, err: unknown, random: () => number): number {
  const exponential = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
  const jittered = Math.round(exponential * (0.5 + random() * 0.5));
  // Rate limited by WeCom (another sender on the same robot?): wait out a whole window.
  return err instanceof WeComApiError && err.errcode === 45009 ? Math.max(jittered, PACE_WINDOW_MS) : jittered;
}

/** ms until the robot may send again (0: now), from the send times of the lane. */
export function paceWait(sendTimes: number[], t: number, perMinute: number): number {
  const recent = sendTimes.filter((x) => x > t - PACE_WINDOW_MS);
  if (recent.length < perMinute) return 0;
  return recent[recent.length - perMinute]! + PACE_WINDOW_MS - t;
}

/** For a group robot's push: WeCom says the robot is gone, or its URL is off WeCom's origin — retire the robot. */
export function retiresRobot(err: unknown): boolean {
  const offOrigin = err instanceof OutboundRefusedError && err.why === 'origin';
  return (err instanceof WeComApiError && RETIRE_ERRCODES.has(err.errcode)) || offOrigin;
}

/** A transient failure, worth another try. */
export function isRetryable(err: unknown): boolean {
  return err instanceof WeComNetworkError || (err instanceof WeComApiError && RETRY_ERRCODES.has(err.errcode));
}
