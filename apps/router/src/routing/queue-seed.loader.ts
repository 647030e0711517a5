import { Injectable, Logger } from '@nestjs/common';
import { AssignmentService } from '../assignment';
import { RouterConfig } from '../config/router.config';
import { ConversationStore } from '../conversations/conversation.store';
import { ConversationEventsPublisher } from '../events/conversation-events.publisher';
import { assignedEventsFor } from '../events/timeline-events';
import { loadQueueSeed } from '../queues';

/**
 * Applies ROUTER_SEED_FILE to ROUTER_SEED_TENANT at start-up, before the consumer starts (queues, agents, routing;
 * idempotent, live load and presence kept). A seed that does not validate stops the start with the bad field named.
 * Capacity the seed adds is used at once: waiting conversations are assigned and their events emitted.
 */
@Injectable()
export class QueueSeedLoader {
  private readonly logger = new Logger(QueueSeedLoader.name);

  constructor(
    private readonly config: RouterConfig,
    private readonly assignment: AssignmentService,
    private readonly conversations: ConversationStore,
    private readonly events: ConversationEventsPublisher,
  ) {}

  /** Called by the consumer before it starts (bootstrap hooks of one module run concurrently). */
  async apply(): Promise<void> {
    const tenantId = this.config.ROUTER_SEED_TENANT;
    const seed = await loadQueueSeed(this.config.ROUTER_SEED_FILE);
    const at = new Date();
    const assignments = await this.assignment.applySeed(tenantId, seed, at);
    const emitted = await assignedEventsFor(this.conversations, tenantId, assignments);
    if (emitted.length > 0)
      await this.events.publish(tenantId, `seed:${at.toISOString()}`, { events: emitted });
    this.logger.log(
      `seed ${this.config.ROUTER_SEED_FILE} applied to tenant ${tenantId}: ${seed.queues.length} queues, ${seed.agents.length} agents`,
    );
  }
}
