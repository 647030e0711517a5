import { randomUUID } from 'node:crypto';
import type { ChannelAccountStatus } from '../payloads/channel-status.dto';
import type { LiveActivity } from '../payloads/live-activity.dto';
import type { DeliveryStatus } from '../payloads/delivery-status.dto';
import type { InboundMessage } from '../payloads/inbound-message.dto';
import type { AgentRef, AttachmentRef } from '../payloads/message-parts.dto';
import type { OutboundMessage } from '../payloads/outbound-message.dto';

/** A fixed instant keeps built values comparable across a test; override it where time matters. */
export const BUILDER_TIME = '2025-03-14T12:00:00.000Z';

export function buildAgentRef(overrides: Partial<AgentRef> = {}): AgentRef {
  return { id: 'agent-lucia', role: 'solver', ...overrides };
}

export function buildAttachmentRef(overrides: Partial<AttachmentRef> = {}): AttachmentRef {
  return { blobId: `blob/${randomUUID()}.jpg`, contentType: 'image/jpeg', size: 1024, ...overrides };
}

export function buildInboundMessage(overrides: Partial<InboundMessage> = {}): InboundMessage {
  return {
    channel: 'whatsapp',
    channelAccountId: 'wa-5511999990000',
    externalId: `wamid.${randomUUID()}`,
    from: { address: '5511987654321', displayName: 'João Araújo' },
    to: [{ address: '5511999990000' }],
    receivedAt: BUILDER_TIME,
    content: { text: 'Olá, não consigo acessar minha conta — é urgente!' },
    ...overrides,
  };
}

export function buildOutboundMessage(overrides: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    messageId: randomUUID(),
    conversationId: 'conversation-1',
    channel: 'whatsapp',
    channelAccountId: 'wa-5511999990000',
    to: { address: '5511987654321' },
    content: { text: 'Prontinho, sua conta foi desbloqueada.' },
    ...overrides,
  };
}

export function buildLiveActivity(overrides: Partial<LiveActivity> = {}): LiveActivity {
  return {
    kind: 'viewing',
    conversationId: 'conversation-1',
    instanceId: 'gateway-a',
    agentId: 'ana',
    role: 'solver',
    occurredAt: BUILDER_TIME,
    ...overrides,
  };
}

export function buildChannelAccountStatus(
  overrides: Partial<ChannelAccountStatus> = {},
): ChannelAccountStatus {
  return {
    channel: 'whatsapp',
    channelAccountId: 'web:5511999990000',
    state: 'connected',
    occurredAt: BUILDER_TIME,
    ...overrides,
  };
}

export function buildDeliveryStatus(overrides: Partial<DeliveryStatus> = {}): DeliveryStatus {
  return {
    messageId: randomUUID(),
    conversationId: 'conversation-1',
    channel: 'whatsapp',
    channelAccountId: 'wa-5511999990000',
    state: 'sent',
    occurredAt: BUILDER_TIME,
    ...overrides,
  };
}
