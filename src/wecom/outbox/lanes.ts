/** Where a push goes, as a lane: one robot, one response_url or one app user, sent in order. */
import { maskSecret, maskWebhookUrl, webhookKey } from '../client';
import type { PushTarget } from './types';

/** The lane of a target: a robot by its key (any URL form of it), a response_url, an app user. */
export function laneOf(target: PushTarget): string {
  switch (target.kind) {
    case 'webhook':
      return `webhook:${webhookKey(target.url)}`;
    case 'response_url':
      return `response_url:${target.url}`;
    case 'app':
      return `app:${target.toUser}`;
  }
}

/** A lane as logs may show it (robot key and response code masked). */
export function laneLabel(lane: string): string {
  if (lane.startsWith('webhook:')) return `robot key=${maskSecret(lane.slice('webhook:'.length))}`;
  if (lane.startsWith('response_url:')) return `response_url ${maskWebhookUrl(lane.slice('response_url:'.length))}`;
  return `app user ${lane.slice('app:'.length)}`;
}

export function maskTarget(target: PushTarget): PushTarget {
  return target.kind === 'app' ? target : { ...target, url: maskWebhookUrl(target.url) };
}
