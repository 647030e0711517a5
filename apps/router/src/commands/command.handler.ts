import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import {
  type AgentCommand,
  type AgentCommandOf,
  type ConversationEvent,
  type ChannelAddress,
  deliveryStateRank,
  type EnvelopeOf,
  type OutboundMessage,
  refuseReply,
  type Topics,
} from '@ponte/contracts';
import { isDuplicateKeyError } from '@ponte/persistence';
import type { Model } from 'mongoose';
import { type Assignment, AssignmentService } from '../assignment';
import type { Conversation } from '../conversations/conversation.schema';
import { ConversationStore } from '../conversations/conversation.store';
import { ConversationEventsPublisher, type Emission } from '../events/conversation-events.publisher';
import { appendedEvent, assignedEventsFor } from '../events/timeline-events';
import { CustomerDirectory, IdentityError, MergeConflictError, type MergeResult } from '../identity';
import { canAgentAct, InvalidQueueSeedError, QueueDirectory, type QueueSeed } from '../queues';
import { withChanges } from '../queues/configuration-change';
import { QueueRouting } from '../routing/queue-routing';
import { stableId } from '../shared/stable-id';
import type { TimelineMessage } from '../timeline/timeline-message.schema';
import { TimelineStore } from '../timeline/timeline.store';
import { CommandRejectedError } from './command-rejection';
import { ProcessedCommand } from './processed-command.schema';

type CommandEnvelope = EnvelopeOf<typeof Topics.agentCommand>;

/** Who may forward a case up a tier: N1 directors (their job), N2 (to N3), supervisors. */
const ESCALATING_ROLES = new Set(['director', 'n2', 'supervisor', 'admin']);

/**
 * Agent commands. Each is checked (the conversation exists, the agent may touch it, the state allows it) before
 * anything is written; a refused command throws CommandRejectedError and changes nothing. A command that took
 * effect is recorded with its emission, so a redelivery re-emits the same events and changes nothing more.
 */
@Injectable()
export class CommandHandler implements OnModuleInit {
  constructor(
    @InjectModel(ProcessedCommand.name) private readonly processed: Model<ProcessedCommand>,
    private readonly conversations: ConversationStore,
    private readonly timeline: TimelineStore,
    private readonly directory: CustomerDirectory,
    private readonly queues: QueueDirectory,
    private readonly assignment: AssignmentService,
    private readonly events: ConversationEventsPublisher,
    private readonly routing: QueueRouting,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.processed.init();
  }

  async handle(envelope: CommandEnvelope): Promise<void> {
    const { tenantId, data: command } = envelope;
    const recordId = `${tenantId}|${command.commandId}`;
    const done = await this.processed.findById(recordId).lean<ProcessedCommand>().exec();
    if (done) return this.events.publish(tenantId, command.commandId, done.emission, envelope.traceparent);

    const emission = await this.apply(tenantId, command);
    try {
      await this.processed.collection.insertOne({
        _id: recordId,
        kind: command.kind,
        emission,
        processedAt: new Date(),
      } as never);
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
    await this.events.publish(tenantId, command.commandId, emission, envelope.traceparent);
  }

  private async apply(tenantId: string, command: AgentCommand): Promise<Emission> {
    switch (command.kind) {
      case 'set-presence':
        return this.setPresence(tenantId, command);
      case 'configure':
        return this.configure(tenantId, command);
      case 'reply':
        return this.reply(tenantId, command, await this.conversationFor(tenantId, command));
      case 'note':
        return this.note(tenantId, command, await this.conversationFor(tenantId, command));
      case 'resolve':
        return this.resolve(tenantId, command, await this.conversationFor(tenantId, command));
      case 'reopen':
        return this.reopen(tenantId, command, await this.conversationFor(tenantId, command));
      case 'transfer':
        return this.transfer(tenantId, command, await this.conversationFor(tenantId, command));
      case 'escalate':
        return this.escalate(tenantId, command, await this.conversationFor(tenantId, command));
      case 'set-priority':
        return this.setPriority(tenantId, command, await this.conversationFor(tenantId, command));
      case 'merge':
        return this.merge(tenantId, command, await this.conversationFor(tenantId, command));
      case 'split':
        return this.split(tenantId, command, await this.conversationFor(tenantId, command));
    }
  }

  /** The conversation the command names, if the acting agent may touch it. */
  private async conversationFor(
    tenantId: string,
    command: Exclude<AgentCommand, AgentCommandOf<'set-presence' | 'configure'>>,
  ): Promise<Conversation> {
    const conversation = await this.conversations.get(tenantId, command.conversationId);
    if (!conversation) {
      throw new CommandRejectedError('UNKNOWN_CONVERSATION', `no conversation ${command.conversationId}`);
    }
    const agent = await this.queues.agent(tenantId, command.agent.id);
    if (!agent) throw new CommandRejectedError('UNKNOWN_AGENT', `no agent ${command.agent.id}`);
    const allowed = conversation.assigneeId === agent.agentId || canAgentAct(agent, conversation.queueId);
    if (!allowed) {
      throw new CommandRejectedError(
        'NOT_ALLOWED',
        `agent ${agent.agentId} (${agent.role}) neither holds conversation ${conversation._id} nor belongs to its queue ${conversation.queueId}`,
      );
    }
    return conversation;
  }

  private async reply(
    tenantId: string,
    command: AgentCommandOf<'reply'>,
    conversation: Conversation,
  ): Promise<Emission> {
    const identities = await this.directory.identitiesOf(tenantId, conversation.customerId);
    // Default: where the customer last wrote from. Read from the timeline, not kept on the conversation, so the
    // inbound path never rewrites the conversation document (FerretDB 1.24 loses concurrent updates of one document).
    const lastInbound = await this.timeline.lastIncoming(tenantId, conversation._id);
    const identity =
      (command.identityId && identities.find((candidate) => candidate.identityId === command.identityId)) ||
      (command.channel &&
        identities
          .filter((candidate) => candidate.channel === command.channel)
          .sort((a, b) => b.lastSeenAt.getTime() - a.lastSeenAt.getTime())[0]) ||
      (!command.identityId && !command.channel
        ? identities.find((candidate) => candidate.identityId === lastInbound?.identityId)
        : undefined);
    if (!identity) {
      throw new CommandRejectedError(
        'NO_IDENTITY_FOR_CHANNEL',
        `customer ${conversation.customerId} has no ${command.identityId ? `identity ${command.identityId}` : `${command.channel ?? 'reply'} address`}`,
      );
    }
    const refusal = refuseReply(identity.channel, {
      text: command.content.text,
      attachments: command.attachments,
      template: command.template,
    });
    if (refusal)
      throw new CommandRejectedError('CHANNEL_CANNOT_SEND', `${refusal.message} (${refusal.code})`);
    const answered = await this.timeline.lastIncoming(tenantId, conversation._id, identity.channel);
    const channelAccountId =
      answered?.channelAccountId ?? (await this.queues.channelAccountFor(tenantId, identity.channel));
    if (!channelAccountId) {
      throw new CommandRejectedError(
        'NO_IDENTITY_FOR_CHANNEL',
        `no ${identity.channel} account to send from`,
      );
    }
    const at = new Date(command.issuedAt);
    const messageId = stableId('reply', tenantId, command.commandId);
    const message: TimelineMessage = {
      _id: messageId,
      tenantId,
      conversationId: conversation._id,
      customerId: conversation.customerId,
      direction: 'outgoing',
      channel: identity.channel,
      channelAccountId,
      externalId: `ponte:${messageId}`,
      identityId: identity.identityId,
      content: command.content,
      ...(command.attachments ? { attachments: command.attachments } : {}),
      author: command.agent,
      deliveryState: 'queued',
      deliveryStateRank: deliveryStateRank.queued,
      createdAt: at,
    };
    await this.timeline.append(message);
    await this.conversations.markFirstResponse(tenantId, conversation._id, at);
    const references = answered?.emailMessageId ? [answered.emailMessageId] : [];
    const outbound: OutboundMessage = {
      messageId,
      conversationId: conversation._id,
      channel: identity.channel,
      channelAccountId,
      to: replyAddress(identity, answered),
      content: command.content,
      ...(command.template ? { template: command.template } : {}),
      ...(command.attachments ? { attachments: command.attachments } : {}),
      ...(answered && identity.channel !== 'email' ? { replyToExternalId: answered.externalId } : {}),
      ...(references.length > 0 ? { emailHeaders: { inReplyTo: references[0], references } } : {}),
    };
    return { events: [appendedEvent(message)], outbound: [outbound] };
  }

  private async note(
    tenantId: string,
    command: AgentCommandOf<'note'>,
    conversation: Conversation,
  ): Promise<Emission> {
    const messageId = stableId('note', tenantId, command.commandId);
    const message: TimelineMessage = {
      _id: messageId,
      tenantId,
      conversationId: conversation._id,
      customerId: conversation.customerId,
      direction: 'note',
      channel: 'internal',
      channelAccountId: 'internal',
      externalId: `ponte:${messageId}`,
      content: command.content,
      ...(command.attachments ? { attachments: command.attachments } : {}),
      author: command.agent,
      createdAt: new Date(command.issuedAt),
    };
    await this.timeline.append(message);
    return { events: [appendedEvent(message)] };
  }

  private async resolve(
    tenantId: string,
    command: AgentCommandOf<'resolve'>,
    conversation: Conversation,
  ): Promise<Emission> {
    if (conversation.status !== 'open') {
      throw new CommandRejectedError('INVALID_STATE', `conversation ${conversation._id} is already resolved`);
    }
    const at = new Date(command.issuedAt);
    const fcr =
      conversation.tier === 'n1' &&
      conversation.transferCount === 0 &&
      conversation.reopenCount === 0 &&
      conversation.tiersVisited.length <= 1;
    const resolved = await this.conversations.resolve(tenantId, conversation._id, {
      by: command.agent.id,
      at,
      tier: conversation.tier,
      fcr,
    });
    if (!resolved)
      throw new CommandRejectedError('INVALID_STATE', `conversation ${conversation._id} is already resolved`);
    const freed = conversation.assigneeId
      ? await this.assignment.release(tenantId, conversation._id, conversation.assigneeId, at)
      : [];
    return {
      events: [
        {
          kind: 'resolved',
          conversationId: conversation._id,
          customerId: conversation.customerId,
          occurredAt: at.toISOString(),
          ...(command.resolution ? { resolution: command.resolution } : {}),
          by: command.agent,
        },
        ...(await this.assignedEvents(tenantId, freed)),
      ],
    };
  }

  private async reopen(
    tenantId: string,
    command: AgentCommandOf<'reopen'>,
    conversation: Conversation,
  ): Promise<Emission> {
    if (conversation.status !== 'resolved') {
      throw new CommandRejectedError('INVALID_STATE', `conversation ${conversation._id} is open`);
    }
    const at = new Date(command.issuedAt);
    const reopened = await this.conversations.reopen(tenantId, conversation._id, conversation.customerId, at);
    if (reopened.status !== 'reopened') {
      throw new CommandRejectedError(
        'INVALID_STATE',
        `customer ${conversation.customerId} already has open conversation ${reopened.conversation._id}`,
      );
    }
    const assignment = await this.assignment.assign(tenantId, conversation._id, at);
    return {
      events: [
        {
          kind: 'reopened',
          conversationId: conversation._id,
          customerId: conversation.customerId,
          occurredAt: at.toISOString(),
          ...(command.reason ? { reason: command.reason } : {}),
          by: command.agent,
        },
        ...(await this.assignedEvents(tenantId, assignment ? [assignment] : [])),
      ],
    };
  }

  private async transfer(
    tenantId: string,
    command: AgentCommandOf<'transfer'>,
    conversation: Conversation,
  ): Promise<Emission> {
    const queue = await this.queues.getQueue(tenantId, command.toQueueId);
    if (!queue) throw new CommandRejectedError('UNKNOWN_QUEUE', `no queue ${command.toQueueId}`);
    if (command.toAgentId) {
      const target = await this.queues.agent(tenantId, command.toAgentId);
      if (!target) throw new CommandRejectedError('UNKNOWN_AGENT', `no agent ${command.toAgentId}`);
      if (!target.queueIds.includes(queue.queueId) || target.presence !== 'online') {
        throw new CommandRejectedError(
          'AGENT_UNAVAILABLE',
          `agent ${command.toAgentId} is ${target.presence}` +
            (target.queueIds.includes(queue.queueId) ? '' : ` and not in queue ${queue.queueId}`),
        );
      }
    }
    const at = new Date(command.issuedAt);
    const moved = await this.move(
      tenantId,
      conversation,
      { queueId: queue.queueId, tier: queue.tier, at, escalation: false },
      command.toAgentId,
    );
    const toAgent = moved.find(
      (assignment) =>
        assignment.conversationId === conversation._id && assignment.agentId === command.toAgentId,
    );
    return {
      events: [
        {
          kind: 'transferred',
          conversationId: conversation._id,
          customerId: conversation.customerId,
          occurredAt: at.toISOString(),
          fromQueueId: conversation.queueId,
          ...(conversation.assigneeId ? { fromAgentId: conversation.assigneeId } : {}),
          toQueueId: queue.queueId,
          ...(toAgent ? { toAgentId: toAgent.agentId } : {}),
          ...(command.reason || (command.toAgentId && !toAgent)
            ? {
                reason: [
                  command.reason,
                  command.toAgentId && !toAgent
                    ? `agent ${command.toAgentId} could not take it (no room, or assigned meanwhile): it went to queue ${queue.queueId}`
                    : undefined,
                ]
                  .filter(Boolean)
                  .join('; '),
              }
            : {}),
          by: command.agent,
        },
        ...(await this.assignedEvents(tenantId, moved)),
      ],
    };
  }

  private async escalate(
    tenantId: string,
    command: AgentCommandOf<'escalate'>,
    conversation: Conversation,
  ): Promise<Emission> {
    const agent = await this.queues.agent(tenantId, command.agent.id);
    if (!agent || !ESCALATING_ROLES.has(agent.role)) {
      throw new CommandRejectedError(
        'NOT_ALLOWED',
        `agent ${command.agent.id} (${agent?.role ?? 'unknown'}) may not escalate`,
      );
    }
    const queue = command.toQueueId
      ? await this.queues.getQueue(tenantId, command.toQueueId)
      : await this.queues.defaultQueueFor(tenantId, command.toTier);
    if (!queue)
      throw new CommandRejectedError(
        'UNKNOWN_QUEUE',
        `no ${command.toTier} queue ${command.toQueueId ?? ''}`.trim(),
      );
    if (queue.tier !== command.toTier) {
      throw new CommandRejectedError(
        'UNKNOWN_QUEUE',
        `queue ${queue.queueId} is ${queue.tier}, not ${command.toTier}`,
      );
    }
    const at = new Date(command.issuedAt);
    const intake = { ...command.intake, by: command.agent.id, at };
    const moved = await this.move(tenantId, conversation, {
      queueId: queue.queueId,
      tier: queue.tier,
      at,
      intake,
      escalation: true,
    });
    const activity: TimelineMessage = {
      _id: stableId('escalation', tenantId, command.commandId),
      tenantId,
      conversationId: conversation._id,
      customerId: conversation.customerId,
      direction: 'activity',
      channel: 'internal',
      channelAccountId: 'internal',
      externalId: `ponte:escalation:${command.commandId}`,
      content: {
        subject: `Escalated to ${queue.tier.toUpperCase()} (${queue.queueId}): ${command.intake.category}`,
        text: [
          `Summary: ${command.intake.summary}`,
          ...command.intake.triedSteps.map((step) => `Tried: ${step}`),
        ].join('\n'),
      },
      author: command.agent,
      createdAt: at,
    };
    await this.timeline.append(activity);
    return {
      events: [
        {
          kind: 'escalated',
          conversationId: conversation._id,
          customerId: conversation.customerId,
          occurredAt: at.toISOString(),
          fromTier: conversation.tier,
          toTier: command.toTier,
          toQueueId: queue.queueId,
          intake: command.intake,
          by: command.agent,
        },
        appendedEvent(activity),
        ...(await this.assignedEvents(tenantId, moved)),
      ],
    };
  }

  /** Moves to a queue, releases the previous agent, and assigns it anew; returns every assignment made. */
  private async move(
    tenantId: string,
    conversation: Conversation,
    to: {
      queueId: string;
      tier: Conversation['tier'];
      at: Date;
      intake?: Conversation['intake'];
      escalation: boolean;
    },
    toAgentId?: string,
  ): Promise<Assignment[]> {
    if (conversation.status !== 'open') {
      throw new CommandRejectedError('INVALID_STATE', `conversation ${conversation._id} is resolved`);
    }
    const moved = await this.conversations.moveToQueue(
      tenantId,
      conversation._id,
      { queueId: conversation.queueId, assigneeId: conversation.assigneeId },
      to,
    );
    if (!moved)
      throw new CommandRejectedError(
        'INVALID_STATE',
        `conversation ${conversation._id} changed meanwhile; retry`,
      );
    const freed = conversation.assigneeId
      ? await this.assignment.release(tenantId, conversation._id, conversation.assigneeId, to.at)
      : [];
    const assigned =
      (toAgentId && (await this.assignment.assignTo(tenantId, conversation._id, toAgentId, to.at))) ||
      (await this.assignment.assign(tenantId, conversation._id, to.at));
    return [...freed, ...(assigned ? [assigned] : [])];
  }

  private assignedEvents(tenantId: string, assignments: readonly Assignment[]): Promise<ConversationEvent[]> {
    return assignedEventsFor(this.conversations, tenantId, assignments);
  }

  private async setPriority(
    tenantId: string,
    command: AgentCommandOf<'set-priority'>,
    conversation: Conversation,
  ): Promise<Emission> {
    await this.conversations.setPriority(tenantId, conversation, command.priority);
    return {
      events: [
        {
          kind: 'priority.changed',
          conversationId: conversation._id,
          customerId: conversation.customerId,
          occurredAt: command.issuedAt,
          previousPriority: conversation.priority,
          priority: command.priority,
          by: command.agent,
        },
      ],
    };
  }

  /**
   * Changes the tenant's queues, agents, routing or reply accounts (admins only; the gateway vouches for the role).
   * The resulting whole configuration is checked like the seed file, so a change that would leave it inconsistent
   * (an agent in an unknown queue, a rule to an N2 queue) changes nothing. Added capacity is used at once.
   */
  private async configure(tenantId: string, command: AgentCommandOf<'configure'>): Promise<Emission> {
    if (command.agent.role !== 'admin') {
      throw new CommandRejectedError(
        'NOT_ALLOWED',
        `only admins change the configuration; ${command.agent.id} is ${command.agent.role}`,
      );
    }
    const next = withChanges(await this.queues.configurationOf(tenantId), command);
    let assignments: Assignment[];
    try {
      assignments = await this.assignment.applySeed(tenantId, next as QueueSeed, new Date(command.issuedAt));
    } catch (error) {
      if (!(error instanceof InvalidQueueSeedError)) throw error;
      throw new CommandRejectedError(
        'INVALID_CONFIGURATION',
        error.problems.map((problem) => `${problem.field || 'configuration'}: ${problem.message}`).join('; '),
      );
    } finally {
      this.routing.forget(tenantId);
    }
    return { events: await this.assignedEvents(tenantId, assignments) };
  }

  private async setPresence(tenantId: string, command: AgentCommandOf<'set-presence'>): Promise<Emission> {
    const agent = await this.queues.agent(tenantId, command.agent.id);
    if (!agent) throw new CommandRejectedError('UNKNOWN_AGENT', `no agent ${command.agent.id}`);
    const assignments = await this.assignment.setPresence(
      tenantId,
      agent.agentId,
      command.presence,
      new Date(command.issuedAt),
    );
    return { events: await this.assignedEvents(tenantId, assignments) };
  }

  private async merge(
    tenantId: string,
    command: AgentCommandOf<'merge'>,
    conversation: Conversation,
  ): Promise<Emission> {
    const at = new Date(command.issuedAt);
    const mergeId = stableId('merge', tenantId, command.commandId);
    let result: MergeResult;
    try {
      result = await this.directory.merge({
        tenantId,
        mergeId,
        sourceCustomerId: command.sourceCustomerId,
        targetCustomerId: command.targetCustomerId,
        by: command.agent.id,
        at,
      });
    } catch (error) {
      throw asRejection(error);
    }
    const { merge } = result;
    return {
      events: [
        {
          kind: 'customer.merged',
          conversationId: conversation._id,
          customerId: merge.targetCustomerId,
          occurredAt: merge.at.toISOString(),
          mergeId: merge.mergeId,
          sourceCustomerId: merge.sourceCustomerId,
          targetCustomerId: merge.targetCustomerId,
          by: command.agent,
        },
      ],
    };
  }

  private async split(
    tenantId: string,
    command: AgentCommandOf<'split'>,
    conversation: Conversation,
  ): Promise<Emission> {
    const at = new Date(command.issuedAt);
    let restored: string;
    try {
      const result = await this.directory.split({
        tenantId,
        mergeId: command.mergeId,
        by: command.agent.id,
        at,
      });
      restored = result.merge.sourceCustomerId;
    } catch (error) {
      throw asRejection(error);
    }
    return {
      events: [
        {
          kind: 'customer.split',
          conversationId: conversation._id,
          customerId: conversation.customerId,
          occurredAt: at.toISOString(),
          mergeId: command.mergeId,
          restoredCustomerId: restored,
          by: command.agent,
        },
      ],
    };
  }
}

/** Identity errors are the agent's mistake (rejected for good), except a merge race, which a retry settles. */
function asRejection(error: unknown): unknown {
  if (error instanceof MergeConflictError || !(error instanceof IdentityError)) return error;
  return new CommandRejectedError('INVALID_MERGE', `${error.code}: ${error.message}`);
}

/**
 * Where a reply goes: the identity's address, except that an e-mail answered from the address the customer wrote
 * from honours that mail's Reply-To (as mail clients do).
 */
function replyAddress(
  identity: { identityId: string; address: string; displayName?: string },
  answered: TimelineMessage | null,
): ChannelAddress {
  const [replyTo] = answered?.identityId === identity.identityId ? (answered.replyTo ?? []) : [];
  if (replyTo) return replyTo;
  return {
    address: identity.address,
    ...(identity.displayName ? { displayName: identity.displayName } : {}),
  };
}
