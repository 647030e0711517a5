import { Injectable } from '@nestjs/common';
import { type Queue, QueueDirectory, type RoutingSeed } from '../queues';
import { type CompiledRoutingRules, compileRoutingRules } from './routing-rules';
import { QueueRouting, type Route, type RouteRequest } from './queue-routing';

const CACHE_MS = 5_000;

interface TenantRouting {
  routing: RoutingSeed;
  rules: CompiledRoutingRules;
  queues: ReadonlyMap<string, Queue>;
  until: number;
}

/**
 * Routes with the tenant's rules (seed file and `configure` commands): the first matching rule's queue, else the
 * default queue. Compiled rules and the tenant's queues are cached a few seconds per tenant, so a busy stream does not
 * re-read settings per conversation; the instance that applies a change forgets its cache at once, the others within
 * CACHE_MS.
 */
@Injectable()
export class SeededQueueRouting extends QueueRouting {
  private readonly cache = new Map<string, TenantRouting>();

  constructor(private readonly queues: QueueDirectory) {
    super();
  }

  async route(request: RouteRequest): Promise<Route> {
    const { routing, rules, queues } = await this.routingOf(request.tenantId);
    const decision = rules.pickQueue(request, routing.defaultQueueId);
    const queue = queues.get(decision.queueId);
    if (!queue)
      throw new Error(`routing of tenant ${request.tenantId} names unknown queue ${decision.queueId}`);
    return { queueId: queue.queueId, tier: queue.tier, reason: decision.reason };
  }

  forget(tenantId: string): void {
    this.cache.delete(tenantId);
  }

  private async routingOf(tenantId: string): Promise<TenantRouting> {
    const cached = this.cache.get(tenantId);
    if (cached && cached.until > Date.now()) return cached;
    const routing = await this.queues.routingOf(tenantId);
    if (!routing)
      throw new Error(`tenant ${tenantId} has no queues: apply a queue seed (ROUTER_SEED_FILE) first`);
    const queues = new Map((await this.queues.queuesOf(tenantId)).map((queue) => [queue.queueId, queue]));
    const entry = {
      routing,
      rules: compileRoutingRules(routing.rules),
      queues,
      until: Date.now() + CACHE_MS,
    };
    this.cache.set(tenantId, entry);
    return entry;
  }
}
