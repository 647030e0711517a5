import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { type OutboundMessage, Topics } from '@ponte/contracts';
import { ConsumerRunner, MESSAGING_OPTIONS, type MessagingOptions } from '@ponte/messaging';
import { randomUUID } from 'node:crypto';
import type { Server as HttpServer } from 'node:http';
import { hostname } from 'node:os';
import { type ConversationEventEnvelope, CommandOutcomes } from '../commands/command-outcomes';
import { GatewayConfig } from '../config/gateway.config';
import { RouterReadModel } from '../conversations/router-read.repository';
import { UnauthenticatedError } from '../http/problem.error';
import { LiveUpdatesServer } from '../live-updates/live-updates.server';
import { answerClientMessage, validateClientMessage } from '../live-updates/live-updates.dto';
import type { Visitor } from './visitor-tokens';
import {
  ReadBody,
  SendMessageBody,
  TypingBody,
  VisitorClientMessages,
  type VisitorMessageView,
  VisitorServerEvents,
  WEBCHAT_LIVE_PATH,
} from './webchat.dto';
import { identityIdOf, WebchatService } from './webchat.service';
import {
  attachSocketServer,
  detachSocketServer,
  type GatewaySocket,
  type GatewaySocketServer,
} from '../live-updates/socket-server';

/** Visitor messages are small JSON objects; socket.io closes a connection that sends a larger one. */
const MAX_MESSAGE_BYTES = 64 * 1024;
/** How long a visitor's conversation, once looked up, is reused for typing. */
const CONVERSATION_TTL_MS = 30_000;

interface VisitorSession {
  socket: VisitorSocket;
  visitor: Visitor;
  expiry?: NodeJS.Timeout;
  conversation?: { id: string | undefined; at: number };
}

interface SocketData {
  session?: VisitorSession;
}

type VisitorSocket = GatewaySocket<SocketData>;

/**
 * The visitors' side of the web chat: a socket.io server at `/api/v1/webchat/live` (WebSocket transport, the client
 * script served beside it). A handshake needs a visitor token, from a page the inbox allows. Each instance consumes
 * `ponte.outbound.webchat.v1` in a consumer group of its own, from the latest offset, and pushes each agent message to
 * the visitor's sockets connected here (every instance does the same for its own); the client's acknowledgement makes
 * it `delivered`. A visitor offline gets it from the history (GET /api/v1/webchat/messages) when the widget loads it.
 * Typing goes both ways between the visitor and the agents viewing the conversation, on any instance (the live
 * activity relay carries it between them), and a visitor learns when an agent has seen their messages (`seen`): when
 * an agent opens the conversation, or when a message arrives while one has it open.
 */
@Injectable()
export class WebchatServer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WebchatServer.name);
  /** `tenant|visitorId` → the visitor's sockets on this instance (several tabs). */
  private readonly sessions = new Map<string, Set<VisitorSession>>();
  private io: GatewaySocketServer<SocketData> | undefined;
  private runner: ConsumerRunner<typeof Topics.outbound.webchat> | undefined;
  private stopTyping: (() => void) | undefined;
  private stopViewed: (() => void) | undefined;
  private stopEvents: (() => void) | undefined;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly webchat: WebchatService,
    private readonly live: LiveUpdatesServer,
    private readonly readModel: RouterReadModel,
    private readonly outcomes: CommandOutcomes,
    private readonly config: GatewayConfig,
    @Inject(MESSAGING_OPTIONS) private readonly messaging: MessagingOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const httpServer = this.adapterHost.httpAdapter.getHttpServer() as HttpServer;
    const io = attachSocketServer<SocketData>(httpServer, {
      path: WEBCHAT_LIVE_PATH,
      // The widget loads socket.io's client from here: `/api/v1/webchat/live/socket.io.min.js`.
      serveClient: true,
      maxMessageBytes: MAX_MESSAGE_BYTES,
      handshake: (socket) => this.handshake(socket),
      connected: (socket) => this.connected(socket),
    });
    this.io = io;
    this.stopTyping = this.live.onAgentTyping((tenantId, conversationId, typing) => {
      this.agentTyping(tenantId, conversationId, typing).catch((error: unknown) =>
        this.logger.warn({ err: error, conversationId }, 'could not tell the visitor an agent is typing'),
      );
    });
    this.stopViewed = this.live.onViewed((tenantId, conversationId) => {
      this.agentViewing(tenantId, conversationId).catch((error: unknown) =>
        this.logger.warn(
          { err: error, conversationId },
          'could not tell the visitor an agent saw their messages',
        ),
      );
    });
    this.stopEvents = this.outcomes.onConversationEvent((envelope) =>
      this.appended(envelope).catch((error: unknown) =>
        this.logger.warn(
          { err: error, eventId: envelope.id },
          'could not tell the visitor an agent saw a message',
        ),
      ),
    );
    if (this.config.webchatInboxes.length === 0) return;
    this.runner = new ConsumerRunner(this.messaging, {
      groupId: `${this.config.KAFKA_TOPIC_PREFIX}gateway-webchat-${hostname()}-${randomUUID()}`,
      topics: [Topics.outbound.webchat],
      fromBeginning: false,
      handleMessage: async (message) => this.push(message.envelope.tenantId, message.envelope.data),
    });
    await this.runner.start();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopTyping?.();
    this.stopViewed?.();
    this.stopEvents?.();
    await this.runner?.stop();
    for (const sessions of this.sessions.values()) {
      for (const session of sessions) clearTimeout(session.expiry);
    }
    detachSocketServer(this.io);
  }

  /** Visitor sockets connected to this instance (for tests and metrics). */
  get sessionCount(): number {
    let count = 0;
    for (const sessions of this.sessions.values()) count += sessions.size;
    return count;
  }

  private async handshake(socket: VisitorSocket): Promise<void> {
    const auth: unknown = socket.handshake.auth;
    const token = typeof auth === 'object' && auth !== null ? (auth as { token?: unknown }).token : undefined;
    if (typeof token !== 'string' || token === '') throw new UnauthenticatedError('missing');
    const visitor = await this.webchat.authenticate(token);
    const origin = socket.handshake.headers.origin;
    this.webchat.checkOrigin(
      this.webchat.inbox(visitor.inboxId),
      origin,
      `${socket.handshake.secure ? 'https' : 'http'}://${socket.handshake.headers.host ?? ''}`,
    );
    socket.data.session = { socket, visitor };
  }

  private connected(socket: VisitorSocket): void {
    const session = socket.data.session;
    if (!session) {
      socket.disconnect(true);
      return;
    }
    const key = sessionKey(session.visitor);
    const sessions = this.sessions.get(key) ?? new Set<VisitorSession>();
    sessions.add(session);
    this.sessions.set(key, sessions);
    this.answer(session, VisitorClientMessages.message, async (payload) => {
      const body = validateClientMessage(SendMessageBody, payload);
      this.webchat.takeRateLimit(session.visitor);
      return this.webchat.send(session.visitor, body);
    });
    this.answer(session, VisitorClientMessages.typing, async (payload) => {
      const { typing } = validateClientMessage(TypingBody, payload);
      this.webchat.takeRateLimit(session.visitor);
      await this.visitorTyping(session, typing);
      return {};
    });
    this.answer(session, VisitorClientMessages.read, async (payload) => {
      const { messageId } = validateClientMessage(ReadBody, payload);
      this.webchat.takeRateLimit(session.visitor);
      await this.webchat.read(session.visitor, messageId);
      return {};
    });
    socket.on('disconnect', () => {
      clearTimeout(session.expiry);
      sessions.delete(session);
      if (sessions.size === 0) this.sessions.delete(key);
    });
  }

  private answer<T extends object>(
    session: VisitorSession,
    event: string,
    handler: (payload: unknown) => Promise<T>,
  ): void {
    answerClientMessage(session.socket, event, handler, (error) =>
      this.logger.error({ err: error, event }, 'visitor message failed'),
    );
  }

  /** An agent's message to a visitor with sockets here: pushed to each, `delivered` on the first acknowledgement. */
  private async push(tenantId: string, message: OutboundMessage): Promise<void> {
    const sessions = this.sessions.get(`${tenantId}|${message.to.address}`);
    if (!sessions || sessions.size === 0) return;
    // The stored reply names its author; the outbound message does not.
    const stored = await this.webchat.agentMessage(tenantId, message.messageId).catch(() => undefined);
    const view: VisitorMessageView = stored ?? {
      messageId: message.messageId,
      direction: 'outgoing',
      text: message.content.text ?? '',
      createdAt: new Date().toISOString(),
    };
    let delivered = false;
    for (const session of sessions) {
      if (session.visitor.inboxId !== message.channelAccountId) continue;
      session.conversation = { id: message.conversationId, at: Date.now() };
      session.socket.emit(VisitorServerEvents.message, view, () => {
        if (delivered) return;
        delivered = true;
        this.webchat
          .publishStatus(session.visitor, message.messageId, 'delivered', message.conversationId)
          .catch((error: unknown) =>
            this.logger.warn(
              { err: error, messageId: message.messageId },
              'could not record a web chat delivery',
            ),
          );
      });
    }
  }

  /** The visitor is typing (the REST fallback): told to the agents viewing their latest conversation. */
  async typingOf(visitor: Visitor, typing: boolean): Promise<void> {
    const conversationId = await this.webchat.latestConversationId(visitor);
    if (conversationId) this.live.customerTyping(visitor.tenantId, conversationId, typing);
  }

  private async visitorTyping(session: VisitorSession, typing: boolean): Promise<void> {
    const now = Date.now();
    if (!session.conversation || now - session.conversation.at > CONVERSATION_TTL_MS) {
      session.conversation = { id: await this.webchat.latestConversationId(session.visitor), at: now };
    }
    if (session.conversation.id) {
      this.live.customerTyping(session.visitor.tenantId, session.conversation.id, typing);
    }
  }

  /** An agent typing in a conversation reaches the visitors of its customer who have sockets here. */
  private async agentTyping(tenantId: string, conversationId: string, typing: boolean): Promise<void> {
    for (const session of await this.visitorSessionsOf(tenantId, conversationId)) {
      session.socket.emit(VisitorServerEvents.typing, { typing });
    }
  }

  /**
   * An agent opened the conversation: its visitors here learn that their messages so far were seen (`upTo`: their
   * latest message's id, as the widget knows it).
   */
  private async agentViewing(tenantId: string, conversationId: string): Promise<void> {
    for (const session of await this.visitorSessionsOf(tenantId, conversationId)) {
      const upTo = await this.webchat.latestOwnMessageId(session.visitor);
      if (upTo) session.socket.emit(VisitorServerEvents.seen, { upTo });
    }
  }

  /** A visitor's message reached a conversation an agent is viewing: seen at once. */
  private async appended(envelope: ConversationEventEnvelope): Promise<void> {
    const event = envelope.data;
    if (event.kind !== 'message.appended' || event.message.channel !== 'webchat') return;
    if (event.message.direction !== 'incoming' || !event.message.externalId) return;
    if (!this.live.isViewed(envelope.tenantId, event.conversationId)) return;
    for (const session of await this.visitorSessionsOf(envelope.tenantId, event.conversationId)) {
      session.socket.emit(VisitorServerEvents.seen, { upTo: event.message.externalId });
    }
  }

  /** The sockets here of the web chat visitors of a conversation's customer (merged customers included). */
  private async visitorSessionsOf(tenantId: string, conversationId: string): Promise<VisitorSession[]> {
    if (this.sessions.size === 0) return [];
    const conversation = await this.readModel.conversation(tenantId, conversationId);
    if (!conversation) return [];
    const group = await this.readModel.canonicalCustomer(tenantId, conversation.customerId);
    if (!group) return [];
    const identities = await this.readModel.identitiesOf(tenantId, group.members);
    return identities
      .filter((identity) => identity.channel === 'webchat')
      .flatMap((identity) =>
        [...(this.sessions.get(`${tenantId}|${identity.address}`) ?? [])].filter(
          (session) => identity._id === identityIdOf(session.visitor),
        ),
      );
  }
}

function sessionKey(visitor: Visitor): string {
  return `${visitor.tenantId}|${visitor.visitorId}`;
}
