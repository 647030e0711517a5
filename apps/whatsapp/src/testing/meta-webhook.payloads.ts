import { wamid } from './fake-graph.server';

/** Our test number, as Meta names it: the phone number id (channelAccountId) and the display number. */
export const PHONE_NUMBER_ID = '106540352242922';
export const DISPLAY_PHONE_NUMBER = '5511999990000';
export const WABA_ID = '102290129340398';

export type MetaMessage = Record<string, unknown> & { id: string; from: string };

/** Now, in the Unix seconds Meta writes as a string. */
export function unixSeconds(date = new Date()): string {
  return String(Math.floor(date.getTime() / 1000));
}

/**
 * A `messages` webhook exactly as the WhatsApp Cloud API documents it: one entry, one change with its metadata,
 * the senders' contacts and the messages and/or statuses.
 */
export function metaWebhook(
  value: { messages?: MetaMessage[]; statuses?: Record<string, unknown>[]; profileName?: string },
  phoneNumberId = PHONE_NUMBER_ID,
): Record<string, unknown> {
  const senders = [...new Set((value.messages ?? []).map((message) => message.from))];
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: WABA_ID,
        changes: [
          {
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: DISPLAY_PHONE_NUMBER, phone_number_id: phoneNumberId },
              ...(senders.length > 0
                ? {
                    contacts: senders.map((waId) => ({
                      profile: { name: value.profileName ?? 'João Araújo' },
                      wa_id: waId,
                    })),
                  }
                : {}),
              ...(value.messages ? { messages: value.messages } : {}),
              ...(value.statuses ? { statuses: value.statuses } : {}),
            },
            field: 'messages',
          },
        ],
      },
    ],
  };
}

/** A text message (Meta's "Text messages webhook reference"). */
export function textMessage(
  from: string,
  body: string,
  overrides: Record<string, unknown> = {},
): MetaMessage {
  return { from, id: wamid(), timestamp: unixSeconds(), type: 'text', text: { body }, ...overrides };
}

/** An image message (Meta's "Image messages webhook reference"). */
export function imageMessage(
  from: string,
  image: { id: string; sha256: string; mime_type?: string; caption?: string },
): MetaMessage {
  return {
    from,
    id: wamid(),
    timestamp: unixSeconds(),
    type: 'image',
    image: { mime_type: 'image/jpeg', ...image },
  };
}

/** A status of a message we sent (Meta's "Status messages webhook reference"). */
export function statusUpdate(
  id: string,
  status: 'sent' | 'delivered' | 'read' | 'failed',
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    id,
    status,
    timestamp: unixSeconds(),
    recipient_id: '5511987654321',
    ...(status === 'failed'
      ? {}
      : {
          conversation: { id: 'a6ba5f5c9cde4a15e9bb9e4c4b5b6a6f', origin: { type: 'service' } },
          pricing: { billable: true, pricing_model: 'PMP', category: 'service' },
        }),
    ...overrides,
  };
}
