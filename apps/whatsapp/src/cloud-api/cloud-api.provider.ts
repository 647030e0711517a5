import { SendFailure } from '@ponte/channel-kit';
import type { ProviderError } from '@ponte/contracts';
import {
  type SendAccepted,
  WhatsAppProvider,
  type WhatsAppSendRequest,
  type WhatsAppTemplate,
} from '../provider/whatsapp-provider.port';
import { customerPhoneOf, windowVerdict } from '../window/customer-service-window';
import type { CustomerWindowStore } from '../window/customer-window.store';
import { encodeCallbackData } from './cloud-callback-data';
import type { GraphApiClient } from './graph-api.client';

export const WINDOW_CLOSED = 'PONTE_WHATSAPP_WINDOW_CLOSED';

/**
 * Sends through the WhatsApp Cloud API (`POST /{version}/{phone-number-id}/messages`) for the configured phone number
 * ids. Free text is refused before calling Meta when the customer's 24-hour window is closed (Meta would accept the
 * request and fail it later with 131047); approved templates go out whenever.
 */
export class CloudApiProvider extends WhatsAppProvider {
  readonly id = 'cloud-api' as const;
  private readonly phoneNumberIds: ReadonlySet<string>;

  constructor(
    private readonly graph: GraphApiClient,
    private readonly windows: Pick<CustomerWindowStore, 'get'>,
    phoneNumberIds: readonly string[],
    private readonly now: () => Date = () => new Date(),
  ) {
    super();
    this.phoneNumberIds = new Set(phoneNumberIds);
  }

  handles(channelAccountId: string): boolean {
    return this.phoneNumberIds.has(channelAccountId);
  }

  async check(request: WhatsAppSendRequest): Promise<ProviderError | undefined> {
    const phone = customerPhoneOf(request.to);
    if (!phone) {
      return {
        code: 'PONTE_UNSUPPORTED_ADDRESS',
        message: `The WhatsApp Cloud API sends to phone numbers; ${request.to} is not one`,
        retryable: false,
      };
    }
    if (request.attachments && request.attachments.length > 0) {
      return {
        code: 'PONTE_ATTACHMENTS_UNSUPPORTED',
        message: 'The WhatsApp Cloud API provider does not send attachments yet',
        retryable: false,
      };
    }
    if (request.template) return undefined;
    if (!request.text) {
      return {
        code: 'PONTE_EMPTY_MESSAGE',
        message: 'The message has neither text nor a template',
        retryable: false,
      };
    }
    const window = await this.windows.get(request.channelAccountId, phone);
    const verdict = windowVerdict(window?.lastInboundAt, this.now());
    if (verdict.open) return undefined;
    const since = verdict.lastInboundAt
      ? `the customer last wrote at ${verdict.lastInboundAt.toISOString()}`
      : 'the customer has never written to this number';
    return {
      code: WINDOW_CLOSED,
      message: `Outside WhatsApp's 24-hour customer service window (${since}): only an approved template can be sent`,
      retryable: false,
    };
  }

  async send(request: WhatsAppSendRequest): Promise<SendAccepted> {
    const phone = customerPhoneOf(request.to);
    if (!phone)
      throw new SendFailure('permanent', 'PONTE_UNSUPPORTED_ADDRESS', `${request.to} is not a phone number`);
    // Meta's own id for the customer when we have it (a Brazilian wa_id may lack the 9th digit the router added).
    // A failed lookup must not turn into "uncertain": nothing was sent yet, and the E.164 digits work too.
    const window = await this.windows.get(request.channelAccountId, phone).catch(() => null);
    const to = window?.waId ?? phone.replace(/^\+/, '');
    const callbackData = encodeCallbackData(request);
    const response = await this.graph.sendMessage(request.channelAccountId, {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to,
      ...contentOf(request),
      ...(request.replyToExternalId?.startsWith('wamid.')
        ? { context: { message_id: request.replyToExternalId } }
        : {}),
      ...(callbackData ? { biz_opaque_callback_data: callbackData } : {}),
    });
    const wamid = response.messages?.[0]?.id;
    if (!wamid) {
      throw new SendFailure(
        'uncertain',
        'PONTE_SEND_UNCERTAIN',
        'Graph accepted the request without a message id; the message may or may not have been sent',
      );
    }
    const recipientId = response.contacts?.[0]?.wa_id;
    return { externalId: wamid, state: 'queued', ...(recipientId ? { recipientId } : {}) };
  }
}

function contentOf(request: WhatsAppSendRequest): Record<string, unknown> {
  if (request.template) return { type: 'template', template: templateOf(request.template) };
  return { type: 'text', text: { preview_url: false, body: request.text ?? '' } };
}

function templateOf(template: WhatsAppTemplate): Record<string, unknown> {
  const parameters = template.bodyParameters ?? [];
  return {
    name: template.name,
    language: { code: template.languageCode },
    ...(parameters.length > 0
      ? { components: [{ type: 'body', parameters: parameters.map((text) => ({ type: 'text', text })) }] }
      : {}),
  };
}
