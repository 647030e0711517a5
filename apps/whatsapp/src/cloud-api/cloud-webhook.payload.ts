/**
 * The WhatsApp Business Account webhook as Meta documents it (`object: whatsapp_business_account`, field
 * `messages`). Only what Ponte reads is typed; everything is optional because a tolerant reader must survive
 * Meta adding, renaming or omitting fields.
 */
export interface CloudWebhookPayload {
  object?: string;
  entry?: CloudWebhookEntry[];
}

export interface CloudWebhookEntry {
  /** The WhatsApp Business Account id. */
  id?: string;
  changes?: Array<{ field?: string; value?: CloudChangeValue }>;
}

export interface CloudChangeValue {
  messaging_product?: string;
  metadata?: { display_phone_number?: string; phone_number_id?: string };
  contacts?: Array<{ wa_id?: string; profile?: { name?: string } }>;
  messages?: CloudMessage[];
  statuses?: CloudStatus[];
  errors?: CloudError[];
}

export interface CloudError {
  code?: number;
  title?: string;
  message?: string;
  error_data?: { details?: string };
}

export interface CloudMedia {
  id?: string;
  mime_type?: string;
  sha256?: string;
  caption?: string;
  filename?: string;
  voice?: boolean;
  animated?: boolean;
}

export interface CloudMessage {
  /** The `wamid`. */
  id?: string;
  /** The customer's WhatsApp id (their phone number digits; Brazilian ones may lack the 9th digit). */
  from?: string;
  /** Unix seconds, as a string. */
  timestamp?: string;
  type?: string;
  context?: { from?: string; id?: string; forwarded?: boolean; frequently_forwarded?: boolean };
  text?: { body?: string };
  image?: CloudMedia;
  audio?: CloudMedia;
  video?: CloudMedia;
  document?: CloudMedia;
  sticker?: CloudMedia;
  location?: { latitude?: number; longitude?: number; name?: string; address?: string; url?: string };
  contacts?: CloudSharedContact[];
  interactive?: {
    type?: string;
    button_reply?: { id?: string; title?: string };
    list_reply?: { id?: string; title?: string; description?: string };
    nfm_reply?: { name?: string; body?: string; response_json?: string };
  };
  button?: { payload?: string; text?: string };
  reaction?: { message_id?: string; emoji?: string };
  system?: { body?: string; type?: string; wa_id?: string; new_wa_id?: string };
  unsupported?: { type?: string };
  errors?: CloudError[];
}

export interface CloudSharedContact {
  name?: { formatted_name?: string; first_name?: string; last_name?: string };
  phones?: Array<{ phone?: string; wa_id?: string; type?: string }>;
  emails?: Array<{ email?: string; type?: string }>;
  org?: { company?: string };
}

export interface CloudStatus {
  /** The `wamid` of the message we sent. */
  id?: string;
  status?: string;
  timestamp?: string;
  recipient_id?: string;
  /** What we passed as `biz_opaque_callback_data` when sending. */
  biz_opaque_callback_data?: string;
  errors?: CloudError[];
}

/** One message of a webhook with what the change around it says. */
export interface CloudMessageEvent {
  phoneNumberId: string;
  displayPhoneNumber?: string;
  message: CloudMessage & { id: string; from: string };
  profileName?: string;
}

export interface CloudStatusEvent {
  phoneNumberId: string;
  displayPhoneNumber?: string;
  status: CloudStatus & { id: string; status: string };
}

/** Flattens `entry[].changes[].value` into its messages and statuses, dropping what lacks the ids Ponte needs. */
export function eventsOf(payload: CloudWebhookPayload): {
  messages: CloudMessageEvent[];
  statuses: CloudStatusEvent[];
} {
  const messages: CloudMessageEvent[] = [];
  const statuses: CloudStatusEvent[] = [];
  if (payload.object !== 'whatsapp_business_account' || !Array.isArray(payload.entry)) {
    return { messages, statuses };
  }
  for (const entry of payload.entry) {
    for (const change of arrayOf(entry?.changes)) {
      const value = change?.value;
      const phoneNumberId = value?.metadata?.phone_number_id;
      if (change?.field !== 'messages' || !value || !phoneNumberId) continue;
      const displayPhoneNumber = value.metadata?.display_phone_number;
      for (const message of arrayOf(value.messages)) {
        if (typeof message?.id !== 'string' || typeof message.from !== 'string') continue;
        const contacts = arrayOf(value.contacts);
        // Matched by wa_id; a lone contact is the sender even when Meta wrote its id differently.
        const contact =
          contacts.find((candidate) => candidate?.wa_id === message.from) ??
          (contacts.length === 1 ? contacts[0] : undefined);
        const profileName = contact?.profile?.name;
        messages.push({
          phoneNumberId,
          ...(displayPhoneNumber ? { displayPhoneNumber } : {}),
          message: message as CloudMessageEvent['message'],
          ...(profileName ? { profileName } : {}),
        });
      }
      for (const status of arrayOf(value.statuses)) {
        if (typeof status?.id !== 'string' || typeof status.status !== 'string') continue;
        statuses.push({
          phoneNumberId,
          ...(displayPhoneNumber ? { displayPhoneNumber } : {}),
          status: status as CloudStatusEvent['status'],
        });
      }
    }
  }
  return { messages, statuses };
}

function arrayOf<T>(value: T[] | undefined): T[] {
  return Array.isArray(value) ? value : [];
}

/** A Unix-seconds timestamp as an ISO date, or undefined when Meta sent none (or garbage). */
export function isoOfUnixSeconds(timestamp: string | undefined): string | undefined {
  const seconds = Number(timestamp);
  if (!timestamp || !Number.isFinite(seconds) || seconds <= 0) return undefined;
  return new Date(seconds * 1000).toISOString();
}
