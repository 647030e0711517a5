import { createEnvelope, type EnvelopeAttributes } from '../envelope/envelope.factory';
import type { EnvelopeOf } from '../envelope/envelope.model';
import type { PayloadOf } from '../topics/topic-payload.registry';
import { CHANNELS } from '../topics/channel.constants';
import { Topics, type OutboundTopicName, type TopicName } from '../topics/topic.constants';
import { buildAgentCommand } from './agent-command.builders';
import { buildConversationEvent } from './conversation-event.builders';
import {
  buildChannelAccountStatus,
  buildLiveActivity,
  buildDeliveryStatus,
  buildInboundMessage,
  buildOutboundMessage,
  BUILDER_TIME,
} from './message.builders';

const defaultPayloads: { readonly [T in TopicName]: () => PayloadOf<T> } = {
  [Topics.inboundMessage]: () => buildInboundMessage(),
  [Topics.agentCommand]: () => buildAgentCommand('reply'),
  [Topics.deliveryStatus]: () => buildDeliveryStatus(),
  [Topics.conversationEvent]: () => buildConversationEvent('message.appended'),
  [Topics.channelStatus]: () => buildChannelAccountStatus(),
  [Topics.liveActivity]: () => buildLiveActivity(),
  ...(Object.fromEntries(
    CHANNELS.map((channel) => [Topics.outbound[channel], () => buildOutboundMessage({ channel })]),
  ) as { [T in OutboundTopicName]: () => PayloadOf<T> }),
};

/**
 * A valid envelope for a topic, built with createEnvelope so `type` matches the payload; pass `data` to
 * choose the payload, other overrides replace attributes after the fact.
 */
export function buildEnvelope<T extends TopicName>(
  topic: T,
  overrides: Partial<EnvelopeOf<T>> = {},
): EnvelopeOf<T> {
  const { data = defaultPayloads[topic](), ...attributeOverrides } = overrides;
  const attributes: EnvelopeAttributes = {
    source: '/ponte/test',
    tenantId: 'tenant-test',
    time: BUILDER_TIME,
  };
  return { ...createEnvelope(topic, data, attributes), ...attributeOverrides };
}
