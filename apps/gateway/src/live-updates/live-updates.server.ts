import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { LiveActivity } from '@ponte/contracts';
import type { Server as HttpServer } from 'node:http';
import { AgentAuthenticator } from '../auth/agent-authenticator';
import type { AgentPrincipal } from '../auth/agent-principal';
import { bearerToken } from '../auth/auth.guard';
import { type ConversationEventEnvelope, CommandOutcomes } from '../commands/command-outcomes';
import { GatewayConfig } from '../config/gateway.config';
import { type AccessScope, canSee, ConversationAccess } from '../conversations/conversation-access';
import { RouterReadModel } from '../conversations/router-read.repository';
import {
  NotViewingError,
  TooManyRequestsError,
  TooManySubscriptionsError,
  UnauthenticatedError,
} from '../http/problem.error';
import { ConversationPlacements } from './conversation-placements';
import {
  answerClientMessage,
  type Ack,
  ClientMessages,
  ConversationSubscriptionMessage,
  type ConversationEventView,
  type CustomerTypingView,
  LIVE_UPDATES_PATH,
  ServerEvents,
  TypingMessage,
  type TypingView,
  validateClientMessage,
  type ViewersView,
  type ViewerView,
} from './live-updates.dto';
import { LiveActivityRelay } from './live-activity.relay';
import { MessageRateLimit } from './message-rate-limit';
import { RemoteViewers } from './remote-viewers';
import {
  attachSocketServer,
  detachSocketServer,
  type GatewaySocket,
  type GatewaySocketServer,
} from './socket-server';

/** Conversations one connection may view at once (presence and typing). */
export const MAX_VIEWED_CONVERSATIONS = 50;
/** Client messages are small JSON objects; socket.io closes a connection that sends a larger one. */
const MAX_MESSAGE_BYTES = 16 * 1024;
/** A placement is read again from the store after this long (the router releases some assignments without an event). */
const PLACEMENT_TTL_MS = 60_000;
const MAX_PLACEMENTS = 50_000;
/** How often this instance repeats, for the others, which conversations its agents view. */
const VIEWING_HEARTBEAT_MS = 15_000;
/** Another instance's viewer without a heartbeat for this long is gone (that instance died or lost Kafka). */
const REMOTE_VIEWER_TTL_MS = 3 * VIEWING_HEARTBEAT_MS;

interface SocketData {
  session?: Session;
}

type LiveSocket = GatewaySocket<SocketData>;

interface Session {
  socket: LiveSocket;
  token: string;
  principal: AgentPrincipal;
  /** Conversations this connection views, by id. */
  viewing: Set<string>;
  limit: MessageRateLimit;
  expiry?: NodeJS.Timeout;
}

/** Hears agents typing, for the customer's side of a conversation (the web chat). */
export type AgentTypingListener = (tenantId: string, conversationId: string, typing: boolean) => void;

/** Hears an agent start viewing a conversation, on this instance or another (the web chat's "seen"). */
export type ViewedListener = (tenantId: string, conversationId: string) => void;

interface CachedScope {
  scope: Promise<AccessScope>;
  loadedAt: number;
}

/**
 * The agents' live updates: a socket.io server on the gateway's HTTP server (path `/api/v1/live`, WebSocket transport
 * only, so any instance behind a load balancer can take any connection without sticky sessions). The handshake is
 * authenticated like a request; each session re-checks its token every GATEWAY_WS_REAUTH_INTERVAL_MS and ends when the
 * token is revoked or expires. Every conversation event this instance consumes goes to the sessions that may see it,
 * by the same rule as the REST API (ConversationAccess). Viewers and typing reach the sessions of this instance at
 * once and those of the other instances through the LiveActivityRelay (`ponte.live.activity.v1`), viewers repeated
 * by a heartbeat so that those of a vanished instance expire.
 */
@Injectable()
export class LiveUpdatesServer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(LiveUpdatesServer.name);
  private readonly sessionsByTenant = new Map<string, Set<Session>>();
  /** `tenant|conversation` → the sessions viewing it. */
  private readonly viewers = new Map<string, Set<Session>>();
  private readonly scopes = new Map<string, CachedScope>();
  private readonly placements: ConversationPlacements;
  private io: GatewaySocketServer<SocketData> | undefined;
  private reauthTimer: NodeJS.Timeout | undefined;
  private stopListening: (() => void) | undefined;
  private readonly typingListeners = new Set<AgentTypingListener>();
  private readonly viewedListeners = new Set<ViewedListener>();
  private readonly remoteViewers = new RemoteViewers(REMOTE_VIEWER_TTL_MS);
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private stopActivity: (() => void) | undefined;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly authenticator: AgentAuthenticator,
    private readonly access: ConversationAccess,
    private readonly outcomes: CommandOutcomes,
    private readonly config: GatewayConfig,
    private readonly relay: LiveActivityRelay,
    readModel: RouterReadModel,
  ) {
    this.placements = new ConversationPlacements(
      (tenantId, conversationId) => readModel.conversation(tenantId, conversationId),
      { ttlMs: PLACEMENT_TTL_MS, maxEntries: MAX_PLACEMENTS },
    );
  }

  onApplicationBootstrap(): void {
    const httpServer = this.adapterHost.httpAdapter.getHttpServer() as HttpServer;
    const io = attachSocketServer<SocketData>(httpServer, {
      path: LIVE_UPDATES_PATH,
      serveClient: false,
      maxMessageBytes: MAX_MESSAGE_BYTES,
      handshake: (socket) => this.handshake(socket),
      connected: (socket) => this.connected(socket),
    });
    this.io = io;
    this.stopListening = this.outcomes.onConversationEvent((envelope) => this.deliver(envelope));
    this.reauthTimer = setInterval(() => this.reauthenticateAll(), this.config.GATEWAY_WS_REAUTH_INTERVAL_MS);
    this.reauthTimer.unref();
    this.stopActivity = this.relay.onActivity((tenantId, activity) =>
      this.remoteActivity(tenantId, activity),
    );
    this.heartbeatTimer = setInterval(() => this.heartbeat(), VIEWING_HEARTBEAT_MS);
    this.heartbeatTimer.unref();
  }

  onModuleDestroy(): void {
    this.stopListening?.();
    this.stopActivity?.();
    clearInterval(this.reauthTimer);
    clearInterval(this.heartbeatTimer);
    for (const sessions of this.sessionsByTenant.values()) {
      for (const session of sessions) clearTimeout(session.expiry);
    }
    detachSocketServer(this.io);
  }

  /** Calls `listener` whenever an agent on this instance starts or stops typing; returns the unsubscribe. */
  onAgentTyping(listener: AgentTypingListener): () => void {
    this.typingListeners.add(listener);
    return () => this.typingListeners.delete(listener);
  }

  /** Calls `listener` whenever an agent starts viewing a conversation, here or on another instance. */
  onViewed(listener: ViewedListener): () => void {
    this.viewedListeners.add(listener);
    return () => this.viewedListeners.delete(listener);
  }

  /** Whether an agent views the conversation now, on this instance or (as far as their heartbeats tell) another. */
  isViewed(tenantId: string, conversationId: string): boolean {
    return this.viewersOfKey(`${tenantId}|${conversationId}`).length > 0;
  }

  private viewed(tenantId: string, conversationId: string): void {
    for (const listener of this.viewedListeners) listener(tenantId, conversationId);
  }

  /** The customer is typing (the web chat): told to the agents viewing the conversation, on every instance. */
  customerTyping(tenantId: string, conversationId: string, typing: boolean): void {
    this.emitCustomerTyping(tenantId, conversationId, typing);
    this.relay.publish(tenantId, { kind: 'customer.typing', conversationId, typing });
  }

  private emitCustomerTyping(tenantId: string, conversationId: string, typing: boolean): void {
    const view: CustomerTypingView = { conversationId, typing };
    for (const session of this.viewers.get(`${tenantId}|${conversationId}`) ?? []) {
      session.socket.emit(ServerEvents.customerTyping, view);
    }
  }

  /** What happened on another instance's sockets, told to this instance's. */
  private remoteActivity(tenantId: string, activity: LiveActivity): void {
    const { conversationId, agentId, role } = activity;
    const key = `${tenantId}|${conversationId}`;
    if (activity.kind === 'customer.typing') {
      this.emitCustomerTyping(tenantId, conversationId, activity.typing === true);
      return;
    }
    if (agentId === undefined || role === undefined) return;
    const agent: ViewerView = { agentId, role };
    switch (activity.kind) {
      case 'viewing':
        if (this.remoteViewers.seen(key, activity.instanceId, agent)) {
          this.announceTo(key, conversationId, agent, 'joined');
          this.viewed(tenantId, conversationId);
        }
        return;
      case 'left':
        if (this.remoteViewers.gone(key, activity.instanceId, agentId))
          this.announceTo(key, conversationId, agent, 'left');
        return;
      case 'typing': {
        // Only a viewer may type: a typing agent whose `viewing` this instance missed is a viewer too.
        if (this.remoteViewers.seen(key, activity.instanceId, agent))
          this.announceTo(key, conversationId, agent, 'joined');
        const view: TypingView = { conversationId, agent, typing: activity.typing === true };
        for (const session of this.viewers.get(key) ?? []) {
          if (session.principal.agentId !== agentId) session.socket.emit(ServerEvents.typing, view);
        }
        for (const listener of this.typingListeners) listener(tenantId, conversationId, view.typing);
      }
    }
  }

  /** Repeats this instance's viewers for the others, and lets theirs expire when their heartbeats stopped. */
  private heartbeat(): void {
    for (const [key, sessions] of this.viewers) {
      const [tenantId, conversationId] = splitViewersKey(key);
      for (const viewer of viewersOf(sessions)) {
        this.relay.publish(tenantId, { kind: 'viewing', conversationId, ...viewer });
      }
    }
    for (const { key, viewer } of this.remoteViewers.expire()) {
      this.announceTo(key, splitViewersKey(key)[1], viewer, 'left');
    }
  }

  /** Sessions connected to this instance (for tests and metrics). */
  get sessionCount(): number {
    let count = 0;
    for (const sessions of this.sessionsByTenant.values()) count += sessions.size;
    return count;
  }

  private async handshake(socket: LiveSocket): Promise<void> {
    const token = handshakeToken(socket);
    const principal = await this.authenticator.authenticate(token);
    socket.data.session = {
      socket,
      token,
      principal,
      viewing: new Set(),
      limit: new MessageRateLimit(this.config.GATEWAY_WS_RATE_LIMIT_PER_MINUTE),
    };
  }

  private connected(socket: LiveSocket): void {
    const session = socket.data.session;
    if (!session) {
      socket.disconnect(true);
      return;
    }
    const { tenantId } = session.principal;
    const sessions = this.sessionsByTenant.get(tenantId) ?? new Set<Session>();
    sessions.add(session);
    this.sessionsByTenant.set(tenantId, sessions);
    this.scheduleExpiry(session);

    socket.use(([, ...args], next) => {
      const retryAfter = session.limit.take();
      if (retryAfter === 0) {
        next();
        return;
      }
      const ack = args[args.length - 1];
      if (typeof ack === 'function') {
        (ack as (answer: Ack) => void)({
          ok: false,
          error: new TooManyRequestsError(retryAfter).toProblem(),
        });
      }
    });
    this.answer(session, ClientMessages.subscribe, (payload) => this.subscribe(session, payload));
    this.answer(session, ClientMessages.unsubscribe, (payload) => this.unsubscribe(session, payload));
    this.answer(session, ClientMessages.typing, (payload) => this.typing(session, payload));
    socket.on('disconnect', () => this.disconnected(session));
  }

  private answer<T extends object>(
    session: Session,
    event: string,
    handler: (payload: unknown) => Promise<T> | T,
  ): void {
    answerClientMessage(session.socket, event, handler, (error) =>
      this.logger.error(
        { err: error, event, accountId: session.principal.accountId },
        'client message failed',
      ),
    );
  }

  private async subscribe(session: Session, payload: unknown): Promise<{ viewers: ViewerView[] }> {
    const { conversationId } = validateClientMessage(ConversationSubscriptionMessage, payload);
    this.placements.remember(await this.access.conversation(session.principal, conversationId));
    if (!session.viewing.has(conversationId) && session.viewing.size >= MAX_VIEWED_CONVERSATIONS) {
      throw new TooManySubscriptionsError(MAX_VIEWED_CONVERSATIONS);
    }
    if (!session.socket.connected) return { viewers: [] };
    return { viewers: this.join(session, conversationId) };
  }

  private unsubscribe(session: Session, payload: unknown): Record<string, never> {
    const { conversationId } = validateClientMessage(ConversationSubscriptionMessage, payload);
    this.leave(session, conversationId);
    return {};
  }

  private typing(session: Session, payload: unknown): Record<string, never> {
    const { conversationId, typing } = validateClientMessage(TypingMessage, payload);
    if (!session.viewing.has(conversationId)) throw new NotViewingError(conversationId);
    const view: TypingView = { conversationId, agent: viewerOf(session), typing };
    for (const other of this.viewers.get(viewersKey(session, conversationId)) ?? []) {
      if (other.principal.accountId !== session.principal.accountId) {
        other.socket.emit(ServerEvents.typing, view);
      }
    }
    for (const listener of this.typingListeners) listener(session.principal.tenantId, conversationId, typing);
    this.relay.publish(session.principal.tenantId, {
      kind: 'typing',
      conversationId,
      ...viewerOf(session),
      typing,
    });
    return {};
  }

  private join(session: Session, conversationId: string): ViewerView[] {
    const key = viewersKey(session, conversationId);
    const sessions = this.viewers.get(key) ?? new Set<Session>();
    const joined = !sessions.has(session);
    sessions.add(session);
    session.viewing.add(conversationId);
    this.viewers.set(key, sessions);
    if (joined) {
      this.announce(session, conversationId, sessions, 'joined');
      this.viewed(session.principal.tenantId, conversationId);
      this.relay.publish(session.principal.tenantId, {
        kind: 'viewing',
        conversationId,
        ...viewerOf(session),
      });
    }
    return this.viewersOfKey(key);
  }

  private leave(session: Session, conversationId: string): void {
    const key = viewersKey(session, conversationId);
    const sessions = this.viewers.get(key);
    session.viewing.delete(conversationId);
    if (!sessions?.delete(session)) return;
    if (sessions.size === 0) this.viewers.delete(key);
    this.announce(session, conversationId, sessions, 'left');
    if (![...sessions].some((other) => other.principal.agentId === session.principal.agentId)) {
      this.relay.publish(session.principal.tenantId, { kind: 'left', conversationId, ...viewerOf(session) });
    }
  }

  private announce(
    session: Session,
    conversationId: string,
    sessions: ReadonlySet<Session>,
    change: ViewersView['change'],
  ): void {
    const view: ViewersView = {
      conversationId,
      change,
      agent: viewerOf(session),
      viewers: this.viewersOfKey(viewersKey(session, conversationId)),
    };
    for (const other of sessions) {
      if (other !== session) other.socket.emit(ServerEvents.viewers, view);
    }
  }

  /** A viewer of another instance came or went: told to every session of this one viewing the conversation. */
  private announceTo(
    key: string,
    conversationId: string,
    agent: ViewerView,
    change: ViewersView['change'],
  ): void {
    const sessions = this.viewers.get(key);
    if (!sessions) return;
    const view: ViewersView = { conversationId, change, agent, viewers: this.viewersOfKey(key) };
    for (const session of sessions) session.socket.emit(ServerEvents.viewers, view);
  }

  /** Who views the conversation, on this instance and the others, once per agent. */
  private viewersOfKey(key: string): ViewerView[] {
    const byAgent = new Map<string, ViewerView>();
    for (const viewer of this.remoteViewers.of(key)) byAgent.set(viewer.agentId, viewer);
    for (const viewer of viewersOf(this.viewers.get(key) ?? new Set())) byAgent.set(viewer.agentId, viewer);
    return [...byAgent.values()];
  }

  private disconnected(session: Session): void {
    clearTimeout(session.expiry);
    for (const conversationId of [...session.viewing]) this.leave(session, conversationId);
    const sessions = this.sessionsByTenant.get(session.principal.tenantId);
    sessions?.delete(session);
    if (sessions?.size === 0) this.sessionsByTenant.delete(session.principal.tenantId);
  }

  /** Sends one event to every session of its tenant that may see the conversation, before or after the event. */
  private async deliver(envelope: ConversationEventEnvelope): Promise<void> {
    const { tenantId, data: event } = envelope;
    const sessions = this.sessionsByTenant.get(tenantId);
    try {
      if (!sessions || sessions.size === 0) {
        this.placements.forget(tenantId, event.conversationId);
        return;
      }
      const before = this.placements.before(tenantId, event);
      const after = await this.placements.apply(tenantId, event);
      if (!after) {
        this.logger.warn(
          { conversationId: event.conversationId, eventId: envelope.id, tenantId },
          'conversation event of a conversation the store does not have: sent to no one',
        );
        return;
      }
      const view: ConversationEventView = {
        id: envelope.id,
        type: envelope.type,
        time: envelope.time,
        data: event,
      };
      await Promise.all(
        [...sessions].map(async (session) => {
          const scope = await this.scopeOf(session.principal);
          const seesNow = canSee(scope, after);
          // An agent who saw the conversation before a transfer also gets the transfer, so it leaves their screen.
          if (seesNow || (before !== undefined && canSee(scope, before))) {
            session.socket.emit(ServerEvents.conversationEvent, view);
          }
          if (!seesNow && session.viewing.has(event.conversationId)) {
            this.leave(session, event.conversationId);
            session.socket.emit(ServerEvents.unsubscribed, {
              conversationId: event.conversationId,
              reason: 'forbidden',
            });
          }
        }),
      );
    } catch (error) {
      // A store outage must not stop the command outcomes sharing this consumer; the event is lost for the screens.
      this.logger.warn(
        { err: error, conversationId: event.conversationId, eventId: envelope.id, tenantId },
        'could not deliver a conversation event to the live updates',
      );
    }
  }

  /** The agent's scope, kept GATEWAY_WS_SCOPE_CACHE_MS per agent (its queues come from the router's roster). */
  private scopeOf(principal: AgentPrincipal): Promise<AccessScope> {
    const key = `${principal.tenantId}|${principal.agentId}|${principal.role}`;
    const now = Date.now();
    const cached = this.scopes.get(key);
    if (cached && now - cached.loadedAt < this.config.GATEWAY_WS_SCOPE_CACHE_MS) return cached.scope;
    const scope = this.access.scopeOf(principal);
    this.scopes.set(key, { scope, loadedAt: now });
    scope.catch(() => this.scopes.delete(key));
    if (this.scopes.size > MAX_PLACEMENTS) {
      const oldest = this.scopes.keys().next();
      if (!oldest.done) this.scopes.delete(oldest.value);
    }
    return scope;
  }

  private scheduleExpiry(session: Session): void {
    clearTimeout(session.expiry);
    const remaining = session.principal.expiresAt.getTime() - Date.now();
    session.expiry = setTimeout(
      () => this.end(session, new UnauthenticatedError('expired')),
      Math.max(remaining, 0),
    );
    session.expiry.unref();
  }

  /** Re-checks every session's token: a password, role or status change since the handshake ends the session. */
  private reauthenticateAll(): void {
    for (const sessions of this.sessionsByTenant.values()) {
      for (const session of sessions) {
        this.authenticator.authenticate(session.token).then(
          (principal) => {
            session.principal = principal;
          },
          (error: unknown) => {
            if (error instanceof UnauthenticatedError) {
              this.end(session, error);
              return;
            }
            this.logger.warn(
              { err: error, accountId: session.principal.accountId },
              'could not re-check a live session; keeping it until the next check',
            );
          },
        );
      }
    }
  }

  /** Tells the client why, then disconnects it. */
  private end(session: Session, reason: UnauthenticatedError): void {
    if (!session.socket.connected) return;
    session.socket.emit(ServerEvents.sessionEnded, reason.toProblem());
    session.socket.disconnect(true);
  }
}

/** The access token of a handshake: `auth: { token }` or the `Authorization: Bearer` header, never the query string. */
function handshakeToken(socket: LiveSocket): string {
  const auth: unknown = socket.handshake.auth;
  const token = typeof auth === 'object' && auth !== null ? (auth as { token?: unknown }).token : undefined;
  if (token !== undefined) {
    if (typeof token !== 'string' || token === '') throw new UnauthenticatedError('malformed');
    return token.replace(/^Bearer +/i, '');
  }
  return bearerToken(socket.handshake.headers.authorization);
}

function viewersKey(session: Session, conversationId: string): string {
  return `${session.principal.tenantId}|${conversationId}`;
}

function splitViewersKey(key: string): [tenantId: string, conversationId: string] {
  const separator = key.indexOf('|');
  return [key.slice(0, separator), key.slice(separator + 1)];
}

function viewerOf(session: Session): ViewerView {
  return { agentId: session.principal.agentId, role: session.principal.role };
}

function viewersOf(sessions: ReadonlySet<Session>): ViewerView[] {
  const byAgent = new Map<string, ViewerView>();
  for (const session of sessions) byAgent.set(session.principal.agentId, viewerOf(session));
  return [...byAgent.values()];
}
