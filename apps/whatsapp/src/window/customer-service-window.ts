import { InvalidAddressError, parseWhatsAppAddress } from '@ponte/identity';

/** WhatsApp's customer service window: free-form messages only within 24 h of the customer's last message. */
export const CUSTOMER_SERVICE_WINDOW_MS = 24 * 60 * 60 * 1000;

export type WindowVerdict = { open: true; closesAt: Date } | { open: false; lastInboundAt?: Date };

/** Whether free-form text may still be sent, given when the customer last wrote (by Meta's clock). */
export function windowVerdict(lastInboundAt: Date | undefined, now: Date): WindowVerdict {
  if (!lastInboundAt) return { open: false };
  const closesAt = new Date(lastInboundAt.getTime() + CUSTOMER_SERVICE_WINDOW_MS);
  return closesAt.getTime() > now.getTime() ? { open: true, closesAt } : { open: false, lastInboundAt };
}

/**
 * The key of a customer on one of our numbers: the E.164 phone, so the `wa_id` Meta gives on inbound messages
 * (`551187654321`, a Brazilian mobile without its 9th digit) and the address the router sends to
 * (`+5511987654321`) meet. Undefined for addresses that are not phones (`…@lid`).
 */
export function customerPhoneOf(address: string): string | undefined {
  try {
    const parsed = parseWhatsAppAddress(address);
    return parsed.kind === 'phone' ? parsed.e164 : undefined;
  } catch (error) {
    if (error instanceof InvalidAddressError) return undefined;
    throw error;
  }
}
