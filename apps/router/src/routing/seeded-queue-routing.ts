import { Injectable } from '@nestjs/common';
import { QueueDirectory, type RoutingSeed } from '../queues';
import { type CompiledRoutingRules, compileRoutingRules } from './routing-rules';
import { QueueRouting, type Route, type RouteRequest } from './queue-routing';

const CACHE_MS = 5_000;

/**
 * Routes with the tenant's rules from its queue seed: the first matching rule's queue, else the default queue.
 * Compiled rules are cached a few seconds per tenant, so a busy stream does not re-read settings per conversation
 * while a re-seed still takes effect promptly.
 */
@Injectable()
export class SeededQueueRouting extends QueueRouting {
  private readonly cache = new Map<
    string,
    { routing: RoutingSeed; rules: CompiledRoutingRules; until: number }
  >();

  constructor(private readonly queues: QueueDirectory) {
    super();
  }

  async route(request: RouteRequest): Promise<Route> {
    const { routing, rules } = await this.rulesOf(request.tenantId);
    const decision = rules.pickQueue(request, routing.defaultQueueId);
    const queue = await this.queues.getQueue(request.tenantId, decision.queueId);
    if (!queue)
      throw new Error(`routing of tenant ${request.tenantId} names unknown queue ${decision.queueId}`);
    return { queueId: queue.queueId, tier: queue.tier, reason: decision.reason };
  }

  private async rulesOf(tenantId: string): Promise<{ routing: RoutingSeed; rules: CompiledRoutingRules }> {
    const cached = this.cache.get(tenantId);
    if (cached && cached.until > Date.now()) return cached;
    const routing = await this.queues.routingOf(tenantId);
    if (!routing)
      throw new Error(`tenant ${tenantId} has no queues: apply a queue seed (ROUTER_SEED_FILE) first`);
    const entry = { routing, rules: compileRoutingRules(routing.rules), until: Date.now() + CACHE_MS };
    this.cache.set(tenantId, entry);
    return entry;
  }
}
