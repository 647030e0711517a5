import {
  AGENT_COMMAND_KINDS,
  AgentCommandBase,
  agentCommandClasses,
  type AgentCommand,
} from '../payloads/agent-command.dto';
import {
  CONVERSATION_EVENT_KINDS,
  ConversationEventBase,
  conversationEventClasses,
  type ConversationEvent,
} from '../payloads/conversation-event.dto';
import { ChannelAccountStatus } from '../payloads/channel-status.dto';
import { DeliveryStatus } from '../payloads/delivery-status.dto';
import { InboundMessage } from '../payloads/inbound-message.dto';
import { LiveActivity } from '../payloads/live-activity.dto';
import { OutboundMessage } from '../payloads/outbound-message.dto';
import { CHANNELS } from './channel.constants';
import { Topics, type OutboundTopicName, type TopicName } from './topic.constants';

type TopicPayloadMap = {
  [Topics.inboundMessage]: InboundMessage;
  [Topics.agentCommand]: AgentCommand;
  [Topics.deliveryStatus]: DeliveryStatus;
  [Topics.conversationEvent]: ConversationEvent;
  [Topics.channelStatus]: ChannelAccountStatus;
  [Topics.liveActivity]: LiveActivity;
} & { [T in OutboundTopicName]: OutboundMessage };

/** The payload a topic carries, so producer and consumer signatures follow the topic name. */
export type PayloadOf<T extends TopicName> = TopicPayloadMap[T];

type PayloadClass = new () => object;

interface TopicSpec<T extends TopicName> {
  /** The class that validates `data`; discriminated payloads pick theirs by `kind`. */
  payloadClass(data: Readonly<Record<string, unknown>>): PayloadClass;
  /** The Kafka key the design names for the topic (design brief §3): it decides the partition, hence the order. */
  key(data: PayloadOf<T>): string;
  discriminated: boolean;
}

function byKind<K extends string>(
  kinds: readonly K[],
  classes: { readonly [Kind in K]: PayloadClass },
  fallback: PayloadClass,
): (data: Readonly<Record<string, unknown>>) => PayloadClass {
  // An unknown kind is validated by the base class, whose `kind` check reports it with the other errors.
  return (data) => {
    const kind = data['kind'];
    return kinds.some((known) => known === kind) ? classes[kind as K] : fallback;
  };
}

const outboundSpec: TopicSpec<OutboundTopicName> = {
  payloadClass: () => OutboundMessage,
  key: (message) => message.conversationId,
  discriminated: false,
};

const topicSpecs: { readonly [T in TopicName]: TopicSpec<T> } = {
  [Topics.inboundMessage]: {
    payloadClass: () => InboundMessage,
    // Channel + sender keeps one customer's messages on one channel in order.
    key: (message) => `${message.channel}:${message.from.address}`,
    discriminated: false,
  },
  [Topics.agentCommand]: {
    payloadClass: byKind(AGENT_COMMAND_KINDS, agentCommandClasses, AgentCommandBase),
    key: (command) =>
      command.kind === 'set-presence'
        ? `agent:${command.agent.id}`
        : // One partition for configuration, so changes apply in the order they were made.
          command.kind === 'configure'
          ? 'configuration'
          : command.conversationId,
    discriminated: true,
  },
  [Topics.deliveryStatus]: {
    payloadClass: () => DeliveryStatus,
    key: (status) => status.messageId,
    discriminated: false,
  },
  [Topics.conversationEvent]: {
    payloadClass: byKind(CONVERSATION_EVENT_KINDS, conversationEventClasses, ConversationEventBase),
    key: (event) => event.conversationId,
    discriminated: true,
  },
  [Topics.channelStatus]: {
    payloadClass: () => ChannelAccountStatus,
    key: (status) => `${status.channel}:${status.channelAccountId}`,
    discriminated: false,
  },
  [Topics.liveActivity]: {
    payloadClass: () => LiveActivity,
    key: (activity) => activity.conversationId,
    discriminated: false,
  },
  ...(Object.fromEntries(CHANNELS.map((channel) => [Topics.outbound[channel], outboundSpec])) as {
    [T in OutboundTopicName]: TopicSpec<T>;
  }),
};

export function topicSpec<T extends TopicName>(topic: T): TopicSpec<T> {
  return topicSpecs[topic];
}

/** The Kafka message key for a payload on a topic; producers must use it so per-key order holds. */
export function messageKey<T extends TopicName>(topic: T, data: PayloadOf<T>): string {
  return topicSpec(topic).key(data);
}

/**
 * The CloudEvents `type`: the topic name, except that discriminated payloads (agent commands, conversation
 * events) put their kind before the version, e.g. `ponte.conversation.event.message.appended.v1`, so a
 * CloudEvents router can filter on it without reading `data`.
 */
export function envelopeType<T extends TopicName>(topic: T, data: PayloadOf<T>): string {
  return envelopeTypeFor(topic, data as unknown);
}

export function envelopeTypeFor(topic: TopicName, data: unknown): string {
  if (!topicSpecs[topic].discriminated) return topic;
  const kind =
    typeof data === 'object' && data !== null ? (data as Record<string, unknown>)['kind'] : undefined;
  const version = topic.slice(topic.lastIndexOf('.'));
  return `${topic.slice(0, -version.length)}.${String(kind)}${version}`;
}
