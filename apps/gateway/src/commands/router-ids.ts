import { createHash } from 'node:crypto';

/**
 * A UUID-shaped SHA-256 of the parts, the same function as the router's `stableId` (apps/router/src/shared/stable-id.ts;
 * apps do not import each other): the same parts always name the same command.
 */
export function stableId(...parts: readonly string[]): string {
  const hex = createHash('sha256').update(parts.join('\u001f')).digest('hex');
  const variant = ((parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The commandId of a request with an Idempotency-Key: the same key of the same agent always names one command. */
export function commandIdForKey(tenantId: string, agentId: string, key: string): string {
  return stableId('gateway-command', tenantId, agentId, key);
}
