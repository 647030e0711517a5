import { buildAgentCommand } from '../testing/agent-command.builders';
import { buildConversationEvent } from '../testing/conversation-event.builders';
import { buildDeliveryStatus, buildInboundMessage, buildOutboundMessage } from '../testing/message.builders';
import { envelopeType, messageKey } from './topic-payload.registry';
import { Topics } from './topic.constants';

describe(messageKey.name, () => {
  it('should key inbound messages by channel and sender when a customer writes', () => {
    const message = buildInboundMessage({ channel: 'sms', from: { address: '+5521998887777' } });

    expect(messageKey(Topics.inboundMessage, message)).toBe('sms:+5521998887777');
  });

  it('should key conversation-bound payloads by conversation when they belong to one', () => {
    expect(messageKey(Topics.agentCommand, buildAgentCommand('reply', { conversationId: 'c-1' }))).toBe(
      'c-1',
    );
    expect(messageKey(Topics.outbound.email, buildOutboundMessage({ conversationId: 'c-2' }))).toBe('c-2');
    expect(
      messageKey(Topics.conversationEvent, buildConversationEvent('assigned', { conversationId: 'c-3' })),
    ).toBe('c-3');
  });

  it('should key a presence change by agent when the command has no conversation', () => {
    const command = buildAgentCommand('set-presence', { agent: { id: 'agent-9', role: 'n2' } });

    expect(messageKey(Topics.agentCommand, command)).toBe('agent:agent-9');
  });

  it('should key delivery statuses by message when a provider reports', () => {
    expect(messageKey(Topics.deliveryStatus, buildDeliveryStatus({ messageId: 'm-1' }))).toBe('m-1');
  });
});

describe(envelopeType.name, () => {
  it('should be the topic name when the payload has no kind', () => {
    expect(envelopeType(Topics.outbound.webchat, buildOutboundMessage({ channel: 'webchat' }))).toBe(
      'ponte.outbound.webchat.v1',
    );
  });

  it('should insert the kind before the version when the payload is discriminated', () => {
    expect(envelopeType(Topics.conversationEvent, buildConversationEvent('customer.merge.suggested'))).toBe(
      'ponte.conversation.event.customer.merge.suggested.v1',
    );
  });
});
