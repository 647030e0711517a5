export const DELIVERY_STATES = ['queued', 'sent', 'delivered', 'read', 'failed'] as const;

export type DeliveryState = (typeof DELIVERY_STATES)[number];

/**
 * Statuses only move up this rank. `failed` sits between `sent` and `delivered`: a send can fail after it was
 * queued or sent, but once the customer's device confirmed delivery nothing can un-deliver it. And a later
 * `delivered`/`read` beats an earlier `failed`, because providers report out of order (Meta and Twilio
 * webhooks race) and the device's confirmation is the stronger evidence. So `failed` is terminal except for
 * proof of delivery.
 */
export const deliveryStateRank: Readonly<Record<DeliveryState, number>> = {
  queued: 0,
  sent: 1,
  failed: 2,
  delivered: 3,
  read: 4,
};

/** Whether a status report should replace the current one; equal states are replays, not transitions. */
export function isForwardTransition(from: DeliveryState, to: DeliveryState): boolean {
  return deliveryStateRank[to] > deliveryStateRank[from];
}
