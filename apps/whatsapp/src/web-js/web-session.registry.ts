import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import {
  type ChannelAccountStatus,
  ContractViolationError,
  createEnvelope,
  messageKey,
  Topics,
} from '@ponte/contracts';
import { MessageBus } from '@ponte/messaging';
import { ReadinessChecks } from '@ponte/platform';
import { setTimeout as delay } from 'node:timers/promises';
import { WhatsappConfig } from '../config/whatsapp.config';
import { WHATSAPP_SOURCE } from '../whatsapp.source';
import { webSessionIdOf } from './web-account';
import type { WebClientFactory } from './web-client.port';
import { WebInboundService } from './web-inbound.service';
import {
  WebSession,
  type WebSessionEvent,
  type WebSessionListener,
  type WebSessionSnapshot,
} from './web-session';
import { WebStatusService } from './web-status.service';

/** The whatsapp-web.js client factory: the real one, or the tests' fake WhatsApp Web. */
export const WEB_CLIENT_FACTORY = Symbol('WEB_CLIENT_FACTORY');

/** Backoff of an event whose handling failed (Kafka or MongoDB unreachable): retried until it goes through. */
const EVENT_RETRY_INITIAL_MS = 500;
const EVENT_RETRY_MAX_MS = 30_000;
/** Session states kept while Kafka refuses them. */
const MAX_WAITING_STATES = 20;

interface StatePublisher {
  waiting: ChannelAccountStatus[];
  running: boolean;
}

export interface WebSessionsHealth {
  up: boolean;
  sessions: Record<string, { state: string; reason?: string }>;
}

/**
 * The configured whatsapp-web.js sessions: started when the service starts (without blocking it: a browser takes
 * seconds to start), stopped with it. Every state change is published on `ponte.channel.status.v1`, in order. Chat events of a
 * session are handled one at a time in the order whatsapp-web.js emitted them (a customer's messages reach Kafka in
 * order); whatsapp-web.js does not deliver an event again, so one whose handling fails is retried here until it goes
 * through, except a contract violation, which no retry can fix.
 */
const WEB_READINESS_KEY = 'whatsapp-web';

@Injectable()
export class WebSessionRegistry
  implements WebSessionListener, OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger(WebSessionRegistry.name);
  private readonly sessions = new Map<string, WebSession>();
  private readonly queues = new Map<string, Promise<void>>();
  private readonly statusPublishers = new Map<string, StatePublisher>();
  /** Aborted at shutdown: retries stop waiting. */
  private readonly stopping = new AbortController();

  constructor(
    private readonly config: WhatsappConfig,
    private readonly bus: MessageBus,
    @Inject(WEB_CLIENT_FACTORY) factory: WebClientFactory,
    private readonly inbound: WebInboundService,
    private readonly statuses: WebStatusService,
    readiness: ReadinessChecks,
  ) {
    // Not ready while a session is `lost` (an operator must act); pairing and reconnecting sessions keep the service
    // ready, so the QR code stays reachable behind a load balancer.
    if (config.webSessions.length > 0) {
      readiness.add(WEB_READINESS_KEY, () => {
        const health = this.health();
        return { [WEB_READINESS_KEY]: { status: health.up ? 'up' : 'down', sessions: health.sessions } };
      });
    }
    const options = {
      reconnectAttempts: config.WHATSAPP_WEB_RECONNECT_ATTEMPTS,
      initialBackoffMs: config.WHATSAPP_WEB_RECONNECT_INITIAL_BACKOFF_MS,
      maxBackoffMs: config.WHATSAPP_WEB_RECONNECT_MAX_BACKOFF_MS,
      connectTimeoutMs: config.WHATSAPP_WEB_CONNECT_TIMEOUT_MS,
    };
    for (const settings of config.webSessions) {
      this.sessions.set(settings.id, new WebSession(settings, factory, options, this));
    }
  }

  get configured(): boolean {
    return this.sessions.size > 0;
  }

  all(): WebSession[] {
    return [...this.sessions.values()];
  }

  session(id: string): WebSession | undefined {
    return this.sessions.get(id);
  }

  sessionForAccount(channelAccountId: string): WebSession | undefined {
    const id = webSessionIdOf(channelAccountId);
    return id === undefined ? undefined : this.sessions.get(id);
  }

  /** Ready unless a session is `lost`: pairing and reconnecting are expected, and the QR code must stay reachable. */
  health(): WebSessionsHealth {
    const sessions: WebSessionsHealth['sessions'] = {};
    for (const session of this.sessions.values()) {
      const { state, reason } = session.snapshot();
      sessions[session.id] = { state, ...(reason ? { reason } : {}) };
    }
    return { up: Object.values(sessions).every(({ state }) => state !== 'lost'), sessions };
  }

  onApplicationBootstrap(): void {
    for (const session of this.sessions.values()) session.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    await Promise.all([...this.sessions.values()].map((session) => session.stop()));
    await Promise.all(this.queues.values());
  }

  stateChanged(session: WebSession, snapshot: WebSessionSnapshot): void {
    const fields = { sessionId: session.id, state: snapshot.state, reason: snapshot.reason };
    if (snapshot.state === 'lost')
      this.logger.error(fields, 'WhatsApp Web session lost: an operator must act');
    else this.logger.log(fields, 'WhatsApp Web session state changed');
    this.publishState(session.id, {
      channel: 'whatsapp',
      channelAccountId: snapshot.channelAccountId,
      state: snapshot.state,
      ...(snapshot.reason ? { reason: snapshot.reason.slice(0, 4_096) } : {}),
      occurredAt: snapshot.since.toISOString(),
    });
  }

  event(session: WebSession, event: WebSessionEvent): void {
    const previous = this.queues.get(session.id) ?? Promise.resolve();
    // Never rejects, so one event cannot stall the session's queue.
    const next = previous
      .then(() => this.handleWithRetry(session, event))
      .catch((error: unknown) => {
        this.logger.error(
          { sessionId: session.id, event: event.type, err: error },
          'WhatsApp Web event not handled',
        );
      });
    this.queues.set(session.id, next);
  }

  private async handleWithRetry(session: WebSession, event: WebSessionEvent): Promise<void> {
    const externalId = event.message?.id?._serialized;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.handle(session, event);
        return;
      } catch (error) {
        if (error instanceof ContractViolationError) {
          this.logger.error(
            { sessionId: session.id, externalId, event: event.type, err: error },
            'WhatsApp Web event violates the contract: dropped (a normalizer bug to fix)',
          );
          return;
        }
        if (this.stopping.signal.aborted) {
          this.logger.error(
            { sessionId: session.id, externalId, event: event.type, err: error },
            'WhatsApp Web event not handled before shutdown',
          );
          return;
        }
        const waitMs = Math.min(EVENT_RETRY_INITIAL_MS * 2 ** (attempt - 1), EVENT_RETRY_MAX_MS);
        this.logger.warn(
          { sessionId: session.id, externalId, event: event.type, attempt, waitMs, err: error },
          'WhatsApp Web event failed: retrying',
        );
        await this.pause(waitMs);
      }
    }
  }

  private async handle(session: WebSession, event: WebSessionEvent): Promise<void> {
    switch (event.type) {
      case 'message':
        await this.inbound.receive(session, event.message);
        return;
      case 'ack':
        await this.statuses.acknowledged(session, event.message, event.ack);
        return;
      case 'edit':
        await this.inbound.edited(session, event.message, event.newBody);
        return;
      case 'revoke':
        await this.inbound.revoked(session, event.message, event.revoked);
        return;
    }
  }

  /**
   * Publishes a session's states one after another, in order. While Kafka refuses, they wait (the oldest dropped
   * beyond MAX_WAITING_STATES: the current state matters most, and it is always on GET /sessions and /health/ready).
   */
  private publishState(sessionId: string, status: ChannelAccountStatus): void {
    const publisher = this.statusPublishers.get(sessionId) ?? { waiting: [], running: false };
    publisher.waiting.push(status);
    if (publisher.waiting.length > MAX_WAITING_STATES) publisher.waiting.shift();
    this.statusPublishers.set(sessionId, publisher);
    if (publisher.running) return;
    publisher.running = true;
    void this.drainStates(sessionId, publisher);
  }

  private async drainStates(sessionId: string, publisher: StatePublisher): Promise<void> {
    let failures = 0;
    for (let status = publisher.waiting[0]; status; status = publisher.waiting[0]) {
      try {
        const envelope = createEnvelope(Topics.channelStatus, status, {
          source: WHATSAPP_SOURCE,
          tenantId: this.config.WHATSAPP_TENANT_ID,
        });
        await this.bus.publish(Topics.channelStatus, envelope, {
          key: messageKey(Topics.channelStatus, status),
        });
        if (publisher.waiting[0] === status) publisher.waiting.shift();
        failures = 0;
      } catch (error) {
        failures += 1;
        this.logger.warn(
          { sessionId, state: status.state, err: error },
          'could not publish the session state',
        );
        if (this.stopping.signal.aborted) break;
        await this.pause(Math.min(EVENT_RETRY_INITIAL_MS * 2 ** (failures - 1), EVENT_RETRY_MAX_MS));
      }
    }
    publisher.running = false;
  }

  /** A backoff that ends early at shutdown. */
  private async pause(ms: number): Promise<void> {
    await delay(ms, undefined, { signal: this.stopping.signal }).catch(() => undefined);
  }
}
