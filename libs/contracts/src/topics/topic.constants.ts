import type { Channel } from './channel.constants';

export const Topics = {
  inboundMessage: 'ponte.inbound.message.v1',
  agentCommand: 'ponte.agent.command.v1',
  deliveryStatus: 'ponte.delivery.status.v1',
  conversationEvent: 'ponte.conversation.event.v1',
  channelStatus: 'ponte.channel.status.v1',
  liveActivity: 'ponte.live.activity.v1',
  outbound: {
    sms: 'ponte.outbound.sms.v1',
    whatsapp: 'ponte.outbound.whatsapp.v1',
    email: 'ponte.outbound.email.v1',
    telegram: 'ponte.outbound.telegram.v1',
    messenger: 'ponte.outbound.messenger.v1',
    instagram: 'ponte.outbound.instagram.v1',
    webchat: 'ponte.outbound.webchat.v1',
  },
} as const satisfies {
  inboundMessage: string;
  agentCommand: string;
  deliveryStatus: string;
  conversationEvent: string;
  channelStatus: string;
  liveActivity: string;
  // `satisfies` makes adding a channel without its outbound topic a compile error.
  outbound: Record<Channel, string>;
};

export type OutboundTopicName = (typeof Topics.outbound)[Channel];

export type TopicName =
  | typeof Topics.inboundMessage
  | typeof Topics.agentCommand
  | typeof Topics.deliveryStatus
  | typeof Topics.conversationEvent
  | typeof Topics.channelStatus
  | typeof Topics.liveActivity
  | OutboundTopicName;

export const ALL_TOPICS: readonly TopicName[] = [
  Topics.inboundMessage,
  Topics.agentCommand,
  Topics.deliveryStatus,
  Topics.conversationEvent,
  Topics.channelStatus,
  Topics.liveActivity,
  ...Object.values(Topics.outbound),
];

const outboundChannelByTopic = new Map<string, Channel>(
  Object.entries(Topics.outbound).map(([channel, topic]) => [topic, channel as Channel]),
);

export function outboundTopic<C extends Channel>(channel: C): (typeof Topics.outbound)[C] {
  return Topics.outbound[channel];
}

/** The channel an outbound topic delivers to, or undefined for the other topics. */
export function channelOfOutboundTopic(topic: string): Channel | undefined {
  return outboundChannelByTopic.get(topic);
}

export function isOutboundTopic(topic: string): topic is OutboundTopicName {
  return outboundChannelByTopic.has(topic);
}

export function dlqTopic(topic: string): string {
  return `${topic}.dlq`;
}

export function isTopicName(name: string): name is TopicName {
  return (ALL_TOPICS as readonly string[]).includes(name);
}
