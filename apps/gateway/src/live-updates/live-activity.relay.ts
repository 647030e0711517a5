import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { createEnvelope, type LiveActivity, messageKey, Topics } from '@ponte/contracts';
import { ConsumerRunner, MESSAGING_OPTIONS, MessageBus, type MessagingOptions } from '@ponte/messaging';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { GatewayConfig } from '../config/gateway.config';

/** An activity older than this when it arrives is dropped: it says nothing about now. */
const STALE_AFTER_MS = 30_000;
const SOURCE = 'ponte://gateway/live';

export type LiveActivityListener = (tenantId: string, activity: LiveActivity) => void;

/**
 * Relays viewing and typing between gateway instances over `ponte.live.activity.v1`: each instance publishes what
 * happens on its sockets and consumes everyone's in a consumer group of its own, from the latest offset, ignoring its
 * own. Best effort by design — a lost or late signal costs a stale "viewing" badge for a heartbeat, never data — so
 * publishing never fails a client message and nothing is retried.
 */
@Injectable()
export class LiveActivityRelay implements OnApplicationBootstrap, OnModuleDestroy {
  readonly instanceId = `${hostname()}-${randomUUID().slice(0, 8)}`;
  private readonly logger = new Logger(LiveActivityRelay.name);
  private readonly listeners = new Set<LiveActivityListener>();
  private runner: ConsumerRunner<typeof Topics.liveActivity> | undefined;

  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly messaging: MessagingOptions,
    private readonly bus: MessageBus,
    private readonly config: GatewayConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.runner = new ConsumerRunner(this.messaging, {
      groupId: `${this.config.KAFKA_TOPIC_PREFIX}gateway-live-${this.instanceId}-${randomUUID()}`,
      topics: [Topics.liveActivity],
      fromBeginning: false,
      handleMessage: async ({ envelope }) => {
        const activity = envelope.data;
        if (activity.instanceId === this.instanceId) return;
        if (Date.now() - Date.parse(activity.occurredAt) > STALE_AFTER_MS) return;
        for (const listener of this.listeners) listener(envelope.tenantId, activity);
      },
    });
    await this.runner.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.runner?.stop();
  }

  /** Calls `listener` with every other instance's activity; returns the unsubscribe. */
  onActivity(listener: LiveActivityListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Tells the other instances; never throws (see the class comment). */
  publish(tenantId: string, activity: Omit<LiveActivity, 'instanceId' | 'occurredAt'>): void {
    const data: LiveActivity = {
      ...activity,
      instanceId: this.instanceId,
      occurredAt: new Date().toISOString(),
    };
    const envelope = createEnvelope(Topics.liveActivity, data, { source: SOURCE, tenantId });
    this.bus
      .publish(Topics.liveActivity, envelope, { key: messageKey(Topics.liveActivity, data) })
      .catch((error: unknown) =>
        this.logger.debug(
          { err: error, kind: data.kind },
          'could not relay live activity to the other instances',
        ),
      );
  }
}
