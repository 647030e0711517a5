import type { AttachmentRef, Channel, InboundMessage } from '@ponte/contracts';
import { param, type TwilioWebhookParams } from '../twilio/twilio-webhook.params';

/** A webhook that is authentic but cannot become a message (missing fields, a channel Ponte does not route here). */
export class InvalidTwilioWebhookError extends Error {
  override readonly name = 'InvalidTwilioWebhookError';
}

export interface InboundNormalization {
  params: TwilioWebhookParams;
  receivedAt: string;
  attachments?: AttachmentRef[];
  /** Said to the agent after the customer's text: why an attachment is missing. */
  notes?: string[];
  rawPayloadRef?: string;
}

/** Twilio's address schemes Ponte accepts; a bare address is a phone number or short code (SMS/MMS). */
const WHATSAPP = 'whatsapp:';
const OTHER_SCHEME = /^[a-z]+:/i;

/** The MessageSid of an inbound webhook (older webhooks name it SmsMessageSid as well). */
export function messageSidOf(params: TwilioWebhookParams): string | undefined {
  return param(params, 'MessageSid') ?? param(params, 'SmsMessageSid');
}

/** The channel a Twilio address belongs to: `whatsapp:+E164` is WhatsApp through Twilio, a bare number SMS. */
export function channelOfAddress(address: string): Channel | undefined {
  if (address.toLowerCase().startsWith(WHATSAPP)) return 'whatsapp';
  return OTHER_SCHEME.test(address) ? undefined : 'sms';
}

/**
 * A Twilio inbound message webhook (SMS, MMS or WhatsApp through Twilio) as Ponte's InboundMessage. Our side is
 * the number that received it (`To`, e.g. `+5511999990000` or `whatsapp:+14155238886`), which is also the sender
 * of the replies; the customer's address is kept as Twilio gave it (the router normalizes identities).
 */
export function normalizeInboundMessage(input: InboundNormalization): InboundMessage {
  const { params } = input;
  const externalId = messageSidOf(params);
  const from = param(params, 'From');
  const to = param(params, 'To');
  if (!externalId || !from || !to) {
    throw new InvalidTwilioWebhookError('MessageSid, From and To are required');
  }
  const channel = channelOfAddress(from);
  if (!channel) throw new InvalidTwilioWebhookError(`unsupported sender address ${from}`);
  if (channelOfAddress(to) !== channel) {
    throw new InvalidTwilioWebhookError(`sender ${from} and receiver ${to} are on different channels`);
  }
  const body = param(params, 'Body');
  const text = [body, ...(input.notes ?? [])].filter((part) => part !== undefined).join('\n');
  const displayName = param(params, 'ProfileName');
  const repliedTo = param(params, 'OriginalRepliedMessageSid');
  return {
    channel,
    channelAccountId: to,
    externalId,
    from: { address: from, ...(displayName ? { displayName } : {}) },
    to: [{ address: to }],
    receivedAt: input.receivedAt,
    content: text ? { text } : {},
    ...(input.attachments && input.attachments.length > 0 ? { attachments: input.attachments } : {}),
    ...(repliedTo ? { threading: { replyToExternalId: repliedTo } } : {}),
    ...(input.rawPayloadRef ? { rawPayloadRef: input.rawPayloadRef } : {}),
  };
}

/** MediaUrl0…, MediaContentType0… up to NumMedia (Twilio sends at most 10). */
export function mediaOf(
  params: TwilioWebhookParams,
): Array<{ index: number; url: string; contentType?: string }> {
  const count = Math.min(Number(param(params, 'NumMedia') ?? '0') || 0, 10);
  const media: Array<{ index: number; url: string; contentType?: string }> = [];
  for (let index = 0; index < count; index++) {
    const url = param(params, `MediaUrl${index}`);
    const contentType = param(params, `MediaContentType${index}`);
    if (url) media.push({ index, url, ...(contentType ? { contentType } : {}) });
  }
  return media;
}
