import type { DeliveryState } from '@ponte/contracts';
import { WebAck } from './web-client.port';

export type WebAckValue = (typeof WebAck)[keyof typeof WebAck];

export function isWebAck(value: unknown): value is WebAckValue {
  return typeof value === 'number' && (Object.values(WebAck) as number[]).includes(value);
}

/**
 * Ponte's delivery state of a `message_ack`; undefined for `ACK_PENDING` (still on this device: the sender already
 * reported `queued`). A voice message played has been heard, which implies read.
 */
export function deliveryStateOfAck(ack: WebAckValue): DeliveryState | undefined {
  switch (ack) {
    case WebAck.ERROR:
      return 'failed';
    case WebAck.PENDING:
      return undefined;
    case WebAck.SERVER:
      return 'sent';
    case WebAck.DEVICE:
      return 'delivered';
    case WebAck.READ:
    case WebAck.PLAYED:
      return 'read';
  }
}

/** WhatsApp Web says no more than "error" about a failed message. */
export const WEB_ACK_ERROR = 'PONTE_WHATSAPP_WEB_ACK_ERROR';
