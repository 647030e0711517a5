import { CONVERSATION_EVENT_KINDS, type ConversationEventKind } from '@ponte/contracts';
import { createHash } from 'node:crypto';

/**
 * The router's `stableId` (apps/router/src/shared/stable-id.ts), copied because apps do not import each other: a
 * UUID-shaped SHA-256 of the parts. The router names the events a command causes `stableId(commandId, 'event', kind)`
 * (ConversationEventsPublisher), which is how the gateway recognises the outcome of its own commands.
 */
export function stableId(...parts: readonly string[]): string {
  const hex = createHash('sha256').update(parts.join('\u001f')).digest('hex');
  const variant = ((parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Envelope id → event kind, for every event the router may emit because of this command. */
export function expectedEventIds(commandId: string): Map<string, ConversationEventKind> {
  return new Map(CONVERSATION_EVENT_KINDS.map((kind) => [stableId(commandId, 'event', kind), kind]));
}

/** The commandId of a request with an Idempotency-Key: the same key of the same agent always names one command. */
export function commandIdForKey(tenantId: string, agentId: string, key: string): string {
  return stableId('gateway-command', tenantId, agentId, key);
}
