import type { DeliveryState } from '@ponte/contracts';

/** Every value of Twilio's Message `status` (REST resource and status callbacks alike). */
export const TWILIO_MESSAGE_STATUSES = [
  'queued',
  'sending',
  'sent',
  'failed',
  'delivered',
  'undelivered',
  'receiving',
  'received',
  'accepted',
  'scheduled',
  'read',
  'partially_delivered',
  'canceled',
] as const;
export type TwilioMessageStatus = (typeof TWILIO_MESSAGE_STATUSES)[number];

export function isTwilioMessageStatus(value: unknown): value is TwilioMessageStatus {
  return typeof value === 'string' && (TWILIO_MESSAGE_STATUSES as readonly string[]).includes(value);
}

/**
 * Ponte's delivery state of an outgoing message in a Twilio status; undefined for the statuses of inbound
 * messages, which say nothing about a message we sent.
 */
export function deliveryStateOf(status: TwilioMessageStatus): DeliveryState | undefined {
  switch (status) {
    case 'accepted':
    case 'scheduled':
    case 'queued':
    case 'sending':
      return 'queued';
    // partially_delivered: the carrier took a multi-part message, the device did not confirm every part.
    case 'sent':
    case 'partially_delivered':
      return 'sent';
    case 'delivered':
      return 'delivered';
    case 'read':
      return 'read';
    case 'failed':
    case 'undelivered':
    case 'canceled':
      return 'failed';
    case 'receiving':
    case 'received':
      return undefined;
  }
}

/** What Twilio's most frequent messaging error codes mean, for the agent; the code itself always travels along. */
const TWILIO_ERRORS: Readonly<Record<string, string>> = {
  '21211': "Invalid 'To' phone number",
  '21408': 'Permission to send to this region is not enabled',
  '21610': 'The recipient unsubscribed (replied STOP)',
  '21612': "The 'To' number cannot be reached from this 'From' number",
  '21614': "'To' number is not a valid mobile number",
  '30003': 'Unreachable destination handset',
  '30004': 'Message blocked',
  '30005': 'Unknown destination handset',
  '30006': 'Landline or unreachable carrier',
  '30007': 'Message filtered by the carrier',
  '30008': 'Unknown error',
  '63016': 'Outside the WhatsApp 24-hour window: only templates can be sent',
};

export function twilioErrorMessage(code: string, fallback?: string): string {
  return fallback || TWILIO_ERRORS[code] || `Twilio error ${code}`;
}
