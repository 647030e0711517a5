import { buildAgentCommand } from '../testing/agent-command.builders';
import { buildConversationEvent } from '../testing/conversation-event.builders';
import { buildInboundMessage } from '../testing/message.builders';
import { Topics } from '../topics/topic.constants';
import { createEnvelope } from './envelope.factory';

const UUID = /^[\da-f]{8}-[\da-f]{4}-4[\da-f]{3}-[89ab][\da-f]{3}-[\da-f]{12}$/;

describe(createEnvelope.name, () => {
  it('should fill the CloudEvents defaults when only source and tenant are given', () => {
    const data = buildInboundMessage();
    const before = Date.now();

    const sut = createEnvelope(Topics.inboundMessage, data, { source: '/ponte/sms', tenantId: 'tenant-1' });

    expect(sut).toEqual({
      specversion: '1.0',
      id: expect.stringMatching(UUID),
      source: '/ponte/sms',
      type: 'ponte.inbound.message.v1',
      time: expect.any(String),
      datacontenttype: 'application/json',
      tenantId: 'tenant-1',
      data,
    });
    expect(Date.parse(sut.time)).toBeGreaterThanOrEqual(before);
    expect(sut.time).toBe(new Date(sut.time).toISOString());
    expect(Object.keys(sut)).not.toEqual(expect.arrayContaining(['subject', 'traceparent']));
  });

  it('should give each envelope its own id when called twice', () => {
    const attributes = { source: '/ponte/sms', tenantId: 'tenant-1' };

    const first = createEnvelope(Topics.inboundMessage, buildInboundMessage(), attributes);
    const second = createEnvelope(Topics.inboundMessage, buildInboundMessage(), attributes);

    expect(first.id).not.toBe(second.id);
  });

  it('should keep the given attributes when they are provided', () => {
    const time = new Date('2025-03-14T12:00:00Z');
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

    const sut = createEnvelope(Topics.inboundMessage, buildInboundMessage(), {
      source: '/ponte/sms',
      tenantId: 'tenant-1',
      id: 'event-1',
      time,
      subject: 'conversation-1',
      traceparent,
    });

    expect(sut).toMatchObject({
      id: 'event-1',
      time: '2025-03-14T12:00:00.000Z',
      subject: 'conversation-1',
      traceparent,
    });
  });

  it('should keep a time string as given when time is a string', () => {
    const sut = createEnvelope(Topics.inboundMessage, buildInboundMessage(), {
      source: '/ponte/sms',
      tenantId: 'tenant-1',
      time: '2025-03-14T09:00:00-03:00',
    });

    expect(sut.time).toBe('2025-03-14T09:00:00-03:00');
  });

  it('should put the kind into the type when the payload is a conversation event', () => {
    const sut = createEnvelope(Topics.conversationEvent, buildConversationEvent('sla.breached'), {
      source: '/ponte/router',
      tenantId: 'tenant-1',
    });

    expect(sut.type).toBe('ponte.conversation.event.sla.breached.v1');
  });

  it('should put the kind into the type when the payload is an agent command', () => {
    const sut = createEnvelope(Topics.agentCommand, buildAgentCommand('set-priority'), {
      source: '/ponte/gateway',
      tenantId: 'tenant-1',
    });

    expect(sut.type).toBe('ponte.agent.command.set-priority.v1');
  });
});
