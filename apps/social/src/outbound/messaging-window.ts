import { type ProviderError, windowOf } from '@ponte/contracts';
import type { SocialChannel } from '../config/meta-accounts';

export const OUTSIDE_MESSAGING_WINDOW = 'PONTE_OUTSIDE_MESSAGING_WINDOW';

/** How a reply goes out, as the Send API's `messaging_type` (and `tag`). */
export type MessagingType =
  { messaging_type: 'RESPONSE' } | { messaging_type: 'MESSAGE_TAG'; tag: 'HUMAN_AGENT' };

/**
 * Meta's rules for a business's reply, from the customer's last message (the registry's `windowOf`): within 24 hours a
 * standard RESPONSE; within 7 days only a human agent's reply, tagged HUMAN_AGENT (every outbound message is an
 * agent's reply: the router queues nothing automatic here); beyond, or if they never wrote, nothing.
 */
export function messagingTypeOf(
  channel: SocialChannel,
  lastInboundAt: Date | undefined,
  now: Date,
): { type: MessagingType } | { refusal: ProviderError } {
  const window = windowOf(channel, lastInboundAt, now);
  switch (window.state) {
    case 'open':
      return { type: { messaging_type: 'RESPONSE' } };
    case 'human-agent-only':
      return { type: { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' } };
    case 'template-only':
    case 'closed': {
      const name = channel === 'messenger' ? 'Messenger' : 'Instagram';
      const since = lastInboundAt
        ? `the customer last wrote at ${lastInboundAt.toISOString()}, more than 7 days ago`
        : 'the customer has never written to this account';
      return {
        refusal: {
          code: OUTSIDE_MESSAGING_WINDOW,
          message: `${name} allows a reply only within 7 days of the customer's last message (24 hours, then with the human agent tag); ${since}. Nothing was sent: wait for the customer to write again`,
          retryable: false,
        },
      };
    }
  }
}
