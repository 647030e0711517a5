import type { DeliveryState } from '@ponte/contracts';

/** The `statuses[].status` values the Cloud API documents. */
export const CLOUD_MESSAGE_STATUSES = [
  'sent',
  'delivered',
  'read',
  'played',
  'failed',
  'deleted',
  'warning',
] as const;
export type CloudMessageStatus = (typeof CLOUD_MESSAGE_STATUSES)[number];

export function isCloudMessageStatus(value: unknown): value is CloudMessageStatus {
  return typeof value === 'string' && (CLOUD_MESSAGE_STATUSES as readonly string[]).includes(value);
}

/**
 * Ponte's delivery state of a message we sent; undefined for statuses that say nothing about delivery (`deleted`:
 * the business deleted it; `warning`: a catalog item problem). Older ones are not filtered here: statuses never
 * going backwards is the router's rule.
 */
export function deliveryStateOf(status: CloudMessageStatus): DeliveryState | undefined {
  switch (status) {
    case 'sent':
      return 'sent';
    case 'delivered':
      return 'delivered';
    // `played`: a voice message was listened to, which implies it was read.
    case 'read':
    case 'played':
      return 'read';
    case 'failed':
      return 'failed';
    case 'deleted':
    case 'warning':
      return undefined;
  }
}

/** What Meta's most frequent messaging error codes mean, for the agent; the code itself always travels along. */
const CLOUD_ERRORS: Readonly<Record<string, string>> = {
  '131047':
    'More than 24 hours have passed since the customer last wrote: only an approved template can be sent',
  '131026': 'Message undeliverable (the number may not be on WhatsApp, or must accept new terms)',
  '131049': 'Meta chose not to deliver this marketing message, to keep engagement healthy',
  '131050': 'The customer stopped marketing messages from this business',
  '131051': 'Unsupported message type',
  '131052': 'Media download error',
  '131053': 'Media upload error',
  '131056': 'Too many messages to this customer in a short time (pair rate limit)',
  '131048': 'Spam rate limit hit: too many messages were blocked or flagged',
  '130429': 'Cloud API throughput reached',
  '131000': 'Something went wrong at Meta',
  '131016': 'WhatsApp service temporarily unavailable',
  '131021': 'The recipient is the sender',
  '131031': 'The business account is locked',
  '132000': 'The template parameters do not match the template',
  '132001': 'The template does not exist in this language or is not approved',
  '190': 'The access token expired or is invalid',
  '368': 'The account is temporarily blocked for policy violations',
};

export function cloudErrorMessage(code: string, fallback?: string): string {
  return CLOUD_ERRORS[code] ?? (fallback || `WhatsApp Cloud API error ${code}`);
}
