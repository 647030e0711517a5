import type { SendAccepted } from '@ponte/channel-kit';

export interface SendRequest {
  /** Our number (`+E164`, a short code, `whatsapp:+E164`) or a Messaging Service SID (`MG…`). */
  from: string;
  to: string;
  body?: string;
  /** Public URLs the provider fetches the attachments from, in order (Twilio's `MediaUrl`). */
  mediaUrls?: readonly string[];
  /** Where the provider reports the message's statuses. */
  statusCallbackUrl?: string;
}

/** The channel's port: one provider class per provider, speaking Ponte's types. Throws SendFailure. */
export abstract class SmsProvider {
  abstract send(request: SendRequest): Promise<SendAccepted>;
}
