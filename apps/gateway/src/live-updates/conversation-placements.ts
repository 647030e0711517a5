import type { ConversationEvent } from '@ponte/contracts';
import type { ConversationRecord } from '../conversations/router-read.model';

/** What the authorization rule needs to know about a conversation. */
export type ConversationPlacement = Pick<ConversationRecord, 'tenantId' | 'queueId' | 'assigneeId'>;

interface Cached {
  placement: ConversationPlacement;
  loadedAt: number;
}

export interface ConversationPlacementsOptions {
  /** A placement is read again from the store after this long: some changes come without an event (an agent going offline releases its conversations). */
  ttlMs: number;
  maxEntries: number;
  now?: () => number;
}

/**
 * Conversation → (tenant, queue, assignee), for deciding per event who may see it. Kept up to date by the events that
 * change it (created, assigned, transferred, escalated, reopened, resolved), read from the router's store on a miss.
 */
export class ConversationPlacements {
  private readonly entries = new Map<string, Cached>();
  private readonly now: () => number;

  constructor(
    private readonly load: (
      tenantId: string,
      conversationId: string,
    ) => Promise<ConversationPlacement | null>,
    private readonly options: ConversationPlacementsOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** The placement, from the cache or the store; null when the tenant has no such conversation. */
  async get(tenantId: string, conversationId: string): Promise<ConversationPlacement | null> {
    const key = cacheKey(tenantId, conversationId);
    const cached = this.entries.get(key);
    if (cached && this.now() - cached.loadedAt < this.options.ttlMs) return cached.placement;
    const loaded = await this.load(tenantId, conversationId);
    if (!loaded) {
      this.entries.delete(key);
      return null;
    }
    const placement = { tenantId, queueId: loaded.queueId, assigneeId: loaded.assigneeId };
    this.keep(key, placement);
    return placement;
  }

  /** The cached placement, without reading the store (undefined when not cached or too old). */
  peek(tenantId: string, conversationId: string): ConversationPlacement | undefined {
    const cached = this.entries.get(cacheKey(tenantId, conversationId));
    return cached && this.now() - cached.loadedAt < this.options.ttlMs ? cached.placement : undefined;
  }

  /** Keeps a placement just read elsewhere (a subscription reads the conversation anyway). */
  remember(placement: ConversationPlacement & { _id: string }): void {
    const { tenantId, queueId, assigneeId } = placement;
    this.keep(cacheKey(tenantId, placement._id), { tenantId, queueId, assigneeId });
  }

  /**
   * Where the conversation was before the event: the cached placement, else what a transfer says it moved from (the
   * agents of the old queue get the transfer, so the conversation leaves their screens).
   */
  before(tenantId: string, event: ConversationEvent): ConversationPlacement | undefined {
    const cached = this.peek(tenantId, event.conversationId);
    if (cached || event.kind !== 'transferred' || !event.fromQueueId) return cached;
    return { tenantId, queueId: event.fromQueueId, assigneeId: event.fromAgentId ?? null };
  }

  forget(tenantId: string, conversationId: string): void {
    this.entries.delete(cacheKey(tenantId, conversationId));
  }

  /**
   * Applies what an event says about the conversation's queue and assignee, returning the placement after it (or null
   * when the event does not say enough and the store has to be read). The router stores before it publishes, so the
   * event is never older than the store.
   */
  async apply(tenantId: string, event: ConversationEvent): Promise<ConversationPlacement | null> {
    const key = cacheKey(tenantId, event.conversationId);
    const cached = this.peek(tenantId, event.conversationId);
    const next = nextPlacement(tenantId, cached, event);
    if (next === 'unchanged') return cached ?? this.get(tenantId, event.conversationId);
    if (next === 'unknown') {
      this.entries.delete(key);
      return this.get(tenantId, event.conversationId);
    }
    this.keep(key, next);
    return next;
  }

  private keep(key: string, placement: ConversationPlacement): void {
    this.entries.delete(key);
    this.entries.set(key, { placement, loadedAt: this.now() });
    if (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }
}

function cacheKey(tenantId: string, conversationId: string): string {
  return `${tenantId}|${conversationId}`;
}

/** The router's moves (apps/router conversation.store.ts): a transfer or escalation leaves it waiting unassigned. */
function nextPlacement(
  tenantId: string,
  cached: ConversationPlacement | undefined,
  event: ConversationEvent,
): ConversationPlacement | 'unchanged' | 'unknown' {
  switch (event.kind) {
    case 'created':
      return event.queueId ? { tenantId, queueId: event.queueId, assigneeId: null } : 'unknown';
    case 'assigned': {
      const queueId = event.queueId ?? cached?.queueId;
      return queueId ? { tenantId, queueId, assigneeId: event.agentId } : 'unknown';
    }
    case 'transferred':
      return { tenantId, queueId: event.toQueueId, assigneeId: event.toAgentId ?? null };
    case 'escalated':
      return event.toQueueId ? { tenantId, queueId: event.toQueueId, assigneeId: null } : 'unknown';
    case 'reopened':
      return cached ? { ...cached, assigneeId: null } : 'unknown';
    case 'resolved':
      return 'unknown';
    case 'message.appended':
    case 'message.status.updated':
    case 'message.revised':
    case 'priority.changed':
    case 'sla.breached':
    case 'customer.merged':
    case 'customer.split':
    case 'customer.merge.suggested':
      return 'unchanged';
  }
}
