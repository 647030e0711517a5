export { CHANNELS, isChannel, type Channel } from './topics/channel.constants';
export {
  ALL_TOPICS,
  Topics,
  channelOfOutboundTopic,
  dlqTopic,
  isOutboundTopic,
  isTopicName,
  outboundTopic,
  type OutboundTopicName,
  type TopicName,
} from './topics/topic.constants';
export { envelopeType, messageKey, type PayloadOf } from './topics/topic-payload.registry';
export type { Envelope, EnvelopeOf } from './envelope/envelope.model';
export { createEnvelope, type EnvelopeAttributes } from './envelope/envelope.factory';
export { encode, parse, parsePayload } from './codec/contract.codec';
export {
  ContractViolationError,
  formatContractErrors,
  type ContractError,
  type ParseResult,
} from './validation/contract.error';
export { ContractLimits } from './validation/contract.limits';
export * from './payloads/support.constants';
export * from './payloads/support-config.dto';
export * from './payloads/message-parts.dto';
export * from './payloads/inbound-message.dto';
export * from './payloads/outbound-message.dto';
export * from './payloads/delivery-state.rules';
export * from './payloads/delivery-status.dto';
export * from './payloads/channel-status.dto';
export * from './payloads/live-activity.dto';
export * from './payloads/agent-command.dto';
export * from './payloads/conversation-event.dto';
export * from './capabilities/channel-capabilities';
export { FIXTURES_DIRECTORY, loadFixtures, type ContractFixture } from './fixtures/fixture.loader';
// Test data builders live in the main entry because libs are imported only through their index.
export {
  BUILDER_TIME,
  buildAgentRef,
  buildAttachmentRef,
  buildChannelAccountStatus,
  buildLiveActivity,
  buildDeliveryStatus,
  buildInboundMessage,
  buildOutboundMessage,
} from './testing/message.builders';
export { buildAgentCommand } from './testing/agent-command.builders';
export { buildConversationEvent } from './testing/conversation-event.builders';
export { buildEnvelope } from './testing/envelope.builders';
