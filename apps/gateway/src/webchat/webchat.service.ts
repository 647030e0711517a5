import { Injectable } from '@nestjs/common';
import {
  createEnvelope,
  type DeliveryState,
  type DeliveryStatus,
  type InboundMessage,
  isForwardTransition,
  messageKey,
  Topics,
} from '@ponte/contracts';
import { MessageBus } from '@ponte/messaging';
import { GatewayConfig } from '../config/gateway.config';
import type { MessageRecord } from '../conversations/router-read.model';
import { RouterReadModel } from '../conversations/router-read.repository';
import {
  InboxNotFoundError,
  OriginNotAllowedError,
  TooManyRequestsError,
  UnauthenticatedError,
} from '../http/problem.error';
import { MessageRateLimit } from '../live-updates/message-rate-limit';
import { verifiedIdentities } from './identity-verification';
import { type Visitor, type VerifiedIdentity, newVisitorId, VisitorTokens } from './visitor-tokens';
import type {
  OpenSessionBody,
  SendMessageBody,
  VisitorMessagesQuery,
  VisitorMessageView,
  VisitorSessionView,
} from './webchat.dto';
import type { WebchatInboxSettings } from './webchat-inbox.settings';

/** The CloudEvents source of web chat messages. */
export const WEBCHAT_SOURCE = 'ponte://gateway/webchat';
/** A visitor's history is read newest first up to this many messages (a chat widget shows a few hundred at most). */
const HISTORY_WINDOW = 500;
const MAX_RATE_LIMITED_VISITORS = 100_000;

/**
 * The web chat channel, for the socket and the REST fallback alike: visitor sessions, a visitor's messages published
 * as `InboundMessage`s of channel `webchat`, their history read from the router's timeline, typing, and the delivery
 * and read receipts a visitor's client reports, published as `DeliveryStatus` like any channel's.
 */
@Injectable()
export class WebchatService {
  private readonly limits = new Map<string, MessageRateLimit>();

  constructor(
    private readonly config: GatewayConfig,
    private readonly bus: MessageBus,
    private readonly tokens: VisitorTokens,
    private readonly readModel: RouterReadModel,
  ) {}

  /**
   * A session for a visitor of the inbox: the same visitor when `token` is theirs (and the verified user did not
   * change), a new one otherwise. An origin the inbox does not allow is refused; a wrong identity hash too.
   */
  async openSession(
    body: OpenSessionBody,
    origin: string | undefined,
    ownOrigin: string,
  ): Promise<VisitorSessionView> {
    const inbox = this.inbox(body.inboxId);
    this.checkOrigin(inbox, origin, ownOrigin);
    const verified = verifiedIdentities(inbox.identitySecret, body);
    const earlier = body.token ? await this.tokens.verify(body.token).catch(() => undefined) : undefined;
    const tenantId = this.tenantOf(inbox);
    const sameVisitor =
      earlier !== undefined &&
      earlier.tenantId === tenantId &&
      earlier.inboxId === inbox.id &&
      // Another user logged in on this browser: a new visitor, so they never see the previous user's conversation.
      (verified.length === 0 || earlier.verified.length === 0 || sameIdentities(earlier.verified, verified));
    const name = body.name ?? claimedName(body) ?? (sameVisitor ? earlier.name : undefined);
    const visitor: Visitor = {
      tenantId,
      inboxId: inbox.id,
      visitorId: sameVisitor ? earlier.visitorId : newVisitorId(),
      ...(name ? { name } : {}),
      verified: verified.length > 0 ? verified : sameVisitor ? earlier.verified : [],
      claimed:
        body.email || body.phone ? claimedIdentities(body, verified) : sameVisitor ? earlier.claimed : [],
    };
    const issued = await this.tokens.issue(visitor);
    return {
      token: issued.token,
      visitorId: visitor.visitorId,
      inboxId: inbox.id,
      expiresAt: issued.expiresAt.toISOString(),
      verified: visitor.verified,
    };
  }

  /** The visitor of a token, for an inbox that still exists. */
  async authenticate(token: string): Promise<Visitor> {
    const visitor = await this.tokens.verify(token);
    const inbox = this.config.webchatInbox(visitor.inboxId);
    if (!inbox || this.tenantOf(inbox) !== visitor.tenantId) throw new UnauthenticatedError('invalid');
    return visitor;
  }

  /** The inbox must list the page's origin; without a list, only the gateway's own pages (the demo) may. */
  checkOrigin(inbox: WebchatInboxSettings, origin: string | undefined, ownOrigin: string): void {
    // Requests without an Origin header do not come from a browser page (a server, a test, curl): nothing to check.
    if (origin === undefined) return;
    const allowed = inbox.allowedOrigins ?? [ownOrigin];
    if (!allowed.includes(origin)) throw new OriginNotAllowedError(inbox.id);
  }

  inbox(id: string): WebchatInboxSettings {
    const inbox = this.config.webchatInbox(id);
    if (!inbox) throw new InboxNotFoundError(id);
    return inbox;
  }

  /** Counts one visitor action against GATEWAY_WEBCHAT_RATE_LIMIT_PER_MINUTE (per instance). */
  takeRateLimit(visitor: Visitor): void {
    const key = `${visitor.tenantId}|${visitor.visitorId}`;
    let limit = this.limits.get(key);
    if (!limit) {
      if (this.limits.size >= MAX_RATE_LIMITED_VISITORS) this.limits.clear();
      limit = new MessageRateLimit(this.config.GATEWAY_WEBCHAT_RATE_LIMIT_PER_MINUTE);
      this.limits.set(key, limit);
    }
    const retryAfter = limit.take();
    if (retryAfter > 0) throw new TooManyRequestsError(retryAfter);
  }

  /**
   * Publishes the visitor's message (acks=all) and resolves once Kafka has it. Its externalId comes from the client's
   * message id, so a retried send is the same message to the router. Only verified identities go as vouched ones.
   */
  async send(visitor: Visitor, body: SendMessageBody): Promise<{ messageId: string }> {
    const externalId = `${visitor.visitorId}:${body.clientMessageId.toLowerCase()}`;
    const message: InboundMessage = {
      channel: 'webchat',
      channelAccountId: visitor.inboxId,
      externalId,
      from: { address: visitor.visitorId, ...(visitor.name ? { displayName: visitor.name } : {}) },
      to: [{ address: visitor.inboxId }],
      receivedAt: new Date().toISOString(),
      content: { text: body.text },
      ...(visitor.verified.length > 0
        ? { vouchedIdentities: visitor.verified.map(({ channel, address }) => ({ channel, address })) }
        : {}),
      ...(visitor.claimed.length > 0
        ? { claimedIdentities: visitor.claimed.map(({ channel, address }) => ({ channel, address })) }
        : {}),
    };
    const envelope = createEnvelope(Topics.inboundMessage, message, {
      source: WEBCHAT_SOURCE,
      tenantId: visitor.tenantId,
      id: `webchat:${visitor.inboxId}:${externalId}`,
    });
    await this.bus.publish(Topics.inboundMessage, envelope, {
      key: messageKey(Topics.inboundMessage, message),
    });
    return { messageId: externalId };
  }

  /** The visitor's web chat messages, oldest first, after `after` (one of their message ids). */
  async history(visitor: Visitor, query: VisitorMessagesQuery): Promise<VisitorMessageView[]> {
    const records = await this.readModel.messagesOfIdentity(
      visitor.tenantId,
      identityIdOf(visitor),
      HISTORY_WINDOW,
    );
    const chat = records
      .filter((record) => record.channel === 'webchat' && record.channelAccountId === visitor.inboxId)
      .reverse();
    const names = await this.authorNames(visitor.tenantId, chat);
    const views = chat.map((record) => viewOf(record, names));
    const start =
      query.after === undefined ? 0 : views.findIndex((view) => view.messageId === query.after) + 1;
    return views.slice(start, start + (query.limit ?? 50));
  }

  /** An agent message as the visitor sees it, from the router's stored copy. */
  async agentMessage(tenantId: string, messageId: string): Promise<VisitorMessageView | undefined> {
    const record = await this.readModel.message(tenantId, messageId);
    if (!record) return undefined;
    return viewOf(record, await this.authorNames(tenantId, [record]));
  }

  /**
   * The names agents go by with customers: the router's roster (commands name an agent by id and role only), or the
   * name stored with the message.
   */
  private async authorNames(
    tenantId: string,
    records: readonly MessageRecord[],
  ): Promise<Map<string, string>> {
    const names = new Map<string, string>();
    const ids = new Set(records.flatMap((record) => (record.author ? [record.author.id] : [])));
    for (const id of ids) {
      const agent = await this.readModel.agent(tenantId, id);
      if (agent?.displayName) names.set(id, agent.displayName);
    }
    return names;
  }

  /** The conversation the visitor wrote in or was answered in last, if any. */
  async latestConversationId(visitor: Visitor): Promise<string | undefined> {
    const [latest] = await this.readModel.messagesOfIdentity(visitor.tenantId, identityIdOf(visitor), 1);
    return latest?.conversationId;
  }

  /** The id (as the visitor knows it) of the visitor's latest web chat message, if any. */
  async latestOwnMessageId(visitor: Visitor): Promise<string | undefined> {
    const records = await this.readModel.messagesOfIdentity(visitor.tenantId, identityIdOf(visitor), 20);
    return records.find((record) => record.direction === 'incoming' && record.channel === 'webchat')
      ?.externalId;
  }

  /** The visitor's client received agent messages: `delivered`, for those not delivered or read yet. */
  async delivered(visitor: Visitor, messages: readonly VisitorMessageView[]): Promise<void> {
    await this.publishStatuses(
      visitor,
      messages.filter(
        (message) => message.direction === 'outgoing' && !reached(message.deliveryState, 'delivered'),
      ),
      'delivered',
    );
  }

  /** The visitor read every agent message up to `messageId`: `read`, for those not read yet. */
  async read(visitor: Visitor, messageId: string): Promise<void> {
    const views = await this.history(visitor, { limit: HISTORY_WINDOW });
    const upTo = views.findIndex((view) => view.messageId === messageId);
    if (upTo < 0) return;
    await this.publishStatuses(
      visitor,
      views
        .slice(0, upTo + 1)
        .filter((view) => view.direction === 'outgoing' && !reached(view.deliveryState, 'read')),
      'read',
    );
  }

  /** `sent` for an outbound message the gateway took from Kafka: it is in the visitor's history from now on. */
  async publishStatus(
    visitor: Pick<Visitor, 'tenantId' | 'inboxId'>,
    messageId: string,
    state: DeliveryState,
    conversationId?: string,
  ): Promise<void> {
    const status: DeliveryStatus = {
      messageId,
      ...(conversationId ? { conversationId } : {}),
      channel: 'webchat',
      channelAccountId: visitor.inboxId,
      externalId: messageId,
      state,
      occurredAt: new Date().toISOString(),
    };
    const envelope = createEnvelope(Topics.deliveryStatus, status, {
      source: WEBCHAT_SOURCE,
      tenantId: visitor.tenantId,
      id: `webchat:${visitor.inboxId}:${messageId}:${state}`,
    });
    await this.bus.publish(Topics.deliveryStatus, envelope, {
      key: messageKey(Topics.deliveryStatus, status),
    });
  }

  tenantOf(inbox: WebchatInboxSettings): string {
    return inbox.tenantId ?? this.config.GATEWAY_DEFAULT_TENANT_ID;
  }

  private async publishStatuses(
    visitor: Visitor,
    messages: readonly VisitorMessageView[],
    state: DeliveryState,
  ): Promise<void> {
    for (const message of messages) await this.publishStatus(visitor, message.messageId, state);
  }
}

/** The router's id of the visitor's identity: `tenant|webchat|visitorId` (apps/router identityIdOf). */
export function identityIdOf(visitor: Pick<Visitor, 'tenantId' | 'visitorId'>): string {
  return `${visitor.tenantId}|webchat|${visitor.visitorId}`;
}

/** A visitor message as the widget shows it: the visitor's own by the id they know (externalId), agents' by ours. */
function viewOf(record: MessageRecord, authorNames: ReadonlyMap<string, string>): VisitorMessageView {
  const author = record.author ? (authorNames.get(record.author.id) ?? record.author.displayName) : undefined;
  return {
    messageId: record.direction === 'incoming' ? record.externalId : record._id,
    direction: record.direction === 'incoming' ? 'incoming' : 'outgoing',
    text: record.content.text ?? '',
    ...(record.direction !== 'incoming' && author ? { author: { displayName: author } } : {}),
    ...(record.deliveryState ? { deliveryState: record.deliveryState } : {}),
    createdAt: record.createdAt.toISOString(),
  };
}

/** Whether a status report of `target` would change nothing (the router keeps statuses from going backwards). */
function reached(state: DeliveryState | undefined, target: DeliveryState): boolean {
  return state !== undefined && !isForwardTransition(state, target);
}

function sameIdentities(a: readonly VerifiedIdentity[], b: readonly VerifiedIdentity[]): boolean {
  const key = (identities: readonly VerifiedIdentity[]) =>
    identities
      .map((identity) => `${identity.channel}:${identity.address.toLowerCase()}`)
      .sort()
      .join(',');
  return key(a) === key(b);
}

/** The e-mail and phone the visitor gave that the website did not prove. */
function claimedIdentities(body: OpenSessionBody, verified: readonly VerifiedIdentity[]): VerifiedIdentity[] {
  const given: VerifiedIdentity[] = [
    ...(body.email ? [{ channel: 'email' as const, address: body.email }] : []),
    ...(body.phone ? [{ channel: 'sms' as const, address: body.phone }] : []),
  ];
  return given.filter((identity) => !verified.some((proven) => proven.channel === identity.channel));
}

/** Without a name, an unverified e-mail or phone is shown to agents as what it is: a claim. */
function claimedName(body: OpenSessionBody): string | undefined {
  const claimed =
    (body.email && !body.emailHash ? body.email : undefined) ??
    (body.phone && !body.phoneHash ? body.phone : undefined);
  return claimed ? `${claimed} (unverified)` : undefined;
}
