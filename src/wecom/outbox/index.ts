/**
 * The persisted, paced outbox (see send.ts). Split by seam: types.ts the public shapes,
 * request.ts validation, lanes.ts lane keys, parts.ts what a push becomes on the wire,
 * retry-policy.ts pacing and backoff, send.ts the sender, dead-pushes.ts the admin's query.
 */
export type { Outbox, OutboxDeps, PushPayload, PushRequest, PushTarget } from './types';
export { createOutbox } from './send';
export { pushParts } from './parts';
export { PACE_WINDOW_MS } from './retry-policy';
export { listDeadPushes, type DeadPush, type DeadPushFilter, type DeadPushQuery } from './dead-pushes';
