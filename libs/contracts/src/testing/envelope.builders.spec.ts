import { encode } from '../codec/contract.codec';
import { AGENT_COMMAND_KINDS } from '../payloads/agent-command.dto';
import { CONVERSATION_EVENT_KINDS } from '../payloads/conversation-event.dto';
import { ALL_TOPICS, Topics } from '../topics/topic.constants';
import { buildAgentCommand } from './agent-command.builders';
import { buildConversationEvent } from './conversation-event.builders';
import { buildEnvelope } from './envelope.builders';
import { buildInboundMessage } from './message.builders';

describe(buildEnvelope.name, () => {
  it.each(ALL_TOPICS)('should build an envelope the contract accepts when the topic is %s', (topic) => {
    expect(() => encode(topic, buildEnvelope(topic))).not.toThrow();
  });

  it('should apply overrides when given data and attributes', () => {
    const data = buildInboundMessage({ channel: 'email' });

    const sut = buildEnvelope(Topics.inboundMessage, { data, tenantId: 'tenant-9' });

    expect(sut).toMatchObject({ tenantId: 'tenant-9', data: { channel: 'email' } });
  });
});

describe(buildAgentCommand.name, () => {
  it.each(AGENT_COMMAND_KINDS)('should build a valid %s command when called with no overrides', (kind) => {
    const data = buildAgentCommand(kind);

    expect(data.kind).toBe(kind);
    expect(() => encode(Topics.agentCommand, buildEnvelope(Topics.agentCommand, { data }))).not.toThrow();
  });
});

describe(buildConversationEvent.name, () => {
  it.each(CONVERSATION_EVENT_KINDS)('should build a valid %s event when called with no overrides', (kind) => {
    const data = buildConversationEvent(kind);

    expect(data.kind).toBe(kind);
    expect(() =>
      encode(Topics.conversationEvent, buildEnvelope(Topics.conversationEvent, { data })),
    ).not.toThrow();
  });
});
