import type { Channel, Priority, SupportTier } from '@ponte/contracts';

export interface RouteRequest {
  tenantId: string;
  channel: Channel;
  /** Subject and text of the first message. */
  text: string;
  customerTags: readonly string[];
  priority: Priority;
}

export interface Route {
  queueId: string;
  tier: SupportTier;
  /** Shown to agents: why the conversation landed in this queue. */
  reason: string;
}

/** Picks the first queue of a new conversation (ordered routing rules, then the default queue). */
export abstract class QueueRouting {
  abstract route(request: RouteRequest): Promise<Route>;

  /** Forgets what was cached of the tenant's routing, after its configuration changed. */
  abstract forget(tenantId: string): void;
}
