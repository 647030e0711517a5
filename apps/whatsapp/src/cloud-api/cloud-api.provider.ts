import { Logger } from '@nestjs/common';
import { type BlobStore, SendFailure } from '@ponte/channel-kit';
import type { AttachmentRef, MediaKind, ProviderError } from '@ponte/contracts';
import { setTimeout as delay } from 'node:timers/promises';
import {
  type SendAccepted,
  WhatsAppProvider,
  type WhatsAppSendRequest,
  type WhatsAppTemplate,
} from '../provider/whatsapp-provider.port';
import { customerPhoneOf, windowVerdict } from '../window/customer-service-window';
import type { CustomerWindowStore } from '../window/customer-window.store';
import { encodeCallbackData } from './cloud-callback-data';
import {
  cloudMediaOf,
  countRefusalOf,
  mediaRefusalOf,
  missingAttachment,
  type OutboundMediaItem,
} from './cloud-media.limits';
import type { GraphApiClient, GraphSendResponse } from './graph-api.client';

export const WINDOW_CLOSED = 'PONTE_WHATSAPP_WINDOW_CLOSED';
/** The text went out as a message of its own, the file after it did not. */
export const PARTLY_SENT = 'PONTE_WHATSAPP_PARTLY_SENT';

/** Graph's limit on a media caption (the media object's `caption`, Cloud API reference "Messages"). */
export const MAX_CAPTION_LENGTH = 1024;
/** Kinds whose media object takes a `caption`; audio and stickers do not. */
const CAPTIONED_KINDS: ReadonlySet<MediaKind> = new Set(['image', 'video', 'document']);

/** Retries of the file after a separate text went out (see `send`). */
export interface PartRetryPolicy {
  maxAttempts: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
}

export interface CloudApiProviderOptions {
  phoneNumberIds: readonly string[];
  partRetry: PartRetryPolicy;
  now?: () => Date;
}

/** The attachment read from the blob store, ready for Graph. */
interface OutboundFile {
  bytes: Buffer;
  kind: MediaKind;
  mediaType: string;
  fileName?: string;
}

/**
 * Sends through the WhatsApp Cloud API (`POST /{version}/{phone-number-id}/messages`) for the configured phone number
 * ids. Free text and files are refused before calling Meta when the customer's 24-hour window is closed (Meta would
 * accept the request and fail it later with 131047); approved templates go out whenever.
 *
 * A file (one per message) is judged in `check` on what the blob store holds, against the capabilities registry, then
 * uploaded (`POST /{phone-number-id}/media`) and sent by media id, the text as its caption. Audio and stickers take no
 * caption, and a caption is at most 1,024 characters: such a text goes first as a message of its own, then the file.
 */
export class CloudApiProvider extends WhatsAppProvider {
  readonly id = 'cloud-api' as const;
  private readonly logger = new Logger(CloudApiProvider.name);
  private readonly phoneNumberIds: ReadonlySet<string>;
  private readonly now: () => Date;

  constructor(
    private readonly graph: Pick<GraphApiClient, 'sendMessage' | 'uploadMedia'>,
    private readonly windows: Pick<CustomerWindowStore, 'get'>,
    private readonly blobs: Pick<BlobStore, 'metadata' | 'read'>,
    private readonly options: CloudApiProviderOptions,
  ) {
    super();
    this.phoneNumberIds = new Set(options.phoneNumberIds);
    this.now = options.now ?? (() => new Date());
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
    const attachments = request.attachments ?? [];
    if (request.template) {
      if (attachments.length === 0) return undefined;
      return {
        code: 'PONTE_ATTACHMENTS_UNSUPPORTED',
        message:
          'A template cannot carry attachments here (header media is not supported yet): send the template alone, and the file once the customer answers',
        retryable: false,
      };
    }
    if (!request.text && attachments.length === 0) {
      return {
        code: 'PONTE_EMPTY_MESSAGE',
        message: 'The message has neither text, an attachment nor a template',
        retryable: false,
      };
    }
    const mediaRefusal = await this.storedMediaRefusalOf(attachments);
    if (mediaRefusal) return mediaRefusal;
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

  /**
   * One call to `send` is one attempt of the sender, which retries it on a retryable failure: the upload and a first
   * part may be repeated, since nothing reached the customer yet. Once a separate text went out, the file is retried
   * here instead, and a failure is never reported retryable: a new attempt would send the text again.
   */
  async send(request: WhatsAppSendRequest): Promise<SendAccepted> {
    const phone = customerPhoneOf(request.to);
    if (!phone)
      throw new SendFailure('permanent', 'PONTE_UNSUPPORTED_ADDRESS', `${request.to} is not a phone number`);
    // Meta's own id for the customer when we have it (a Brazilian wa_id may lack the 9th digit the router added).
    // A failed lookup must not turn into "uncertain": nothing was sent yet, and the E.164 digits work too.
    const window = await this.windows.get(request.channelAccountId, phone).catch(() => null);
    const to = window?.waId ?? phone.replace(/^\+/, '');
    const envelope = { messaging_product: 'whatsapp', recipient_type: 'individual', to };
    const context = request.replyToExternalId?.startsWith('wamid.')
      ? { context: { message_id: request.replyToExternalId } }
      : {};
    const callbackData = encodeCallbackData(request);
    const attributed = callbackData ? { biz_opaque_callback_data: callbackData } : {};

    const attachment = request.attachments?.[0];
    if (!attachment) {
      const response = await this.graph.sendMessage(request.channelAccountId, {
        ...envelope,
        ...contentOf(request),
        ...context,
        ...attributed,
      });
      return acceptedOf(response);
    }

    const file = await this.fileOf(attachment);
    const mediaId = await this.graph.uploadMedia(request.channelAccountId, {
      bytes: file.bytes,
      mediaType: file.mediaType,
      fileName: file.fileName ?? 'file',
    });
    const text = request.text ?? '';
    const captioned = CAPTIONED_KINDS.has(file.kind) && text.length <= MAX_CAPTION_LENGTH;
    const media = {
      type: file.kind,
      [file.kind]: {
        id: mediaId,
        ...(captioned && text ? { caption: text } : {}),
        ...(file.kind === 'document' && file.fileName ? { filename: file.fileName } : {}),
      },
    };
    if (captioned || !text) {
      const response = await this.graph.sendMessage(request.channelAccountId, {
        ...envelope,
        ...media,
        ...context,
        ...attributed,
      });
      return acceptedOf(response);
    }

    // The text first, quoting what the reply quotes; the file last, the message's own: its wamid is the one recorded
    // and attributed, so its statuses (a media failure included) are the message's, and a crash between the two
    // leaves `failed` that no `delivered` of the text can hide. The text carries no callback data for that reason.
    const textResponse = await this.graph.sendMessage(request.channelAccountId, {
      ...envelope,
      type: 'text',
      text: { preview_url: false, body: text },
      ...context,
    });
    const textExternalId = acceptedOf(textResponse).externalId;
    const response = await this.sendAfterText(request, textExternalId, file.kind, {
      ...envelope,
      ...media,
      ...attributed,
    });
    return { ...acceptedOf(response), textExternalId };
  }

  private async storedMediaRefusalOf(
    attachments: readonly AttachmentRef[],
  ): Promise<ProviderError | undefined> {
    const tooMany = countRefusalOf(attachments.length);
    if (tooMany) return tooMany;
    const items: OutboundMediaItem[] = [];
    for (const [index, attachment] of attachments.entries()) {
      // The stored blob is what Graph will get: its type and size are judged, not what the message claims.
      const stored = await this.blobs.metadata(attachment.blobId);
      if (!stored) return missingAttachment(index, attachment.blobId);
      const fileName = attachment.fileName ?? stored.fileName;
      items.push({ contentType: stored.contentType, size: stored.size, ...(fileName ? { fileName } : {}) });
    }
    return mediaRefusalOf(items);
  }

  private async fileOf(attachment: AttachmentRef): Promise<OutboundFile> {
    let blob;
    try {
      blob = await this.blobs.read(attachment.blobId);
    } catch (error) {
      throw new SendFailure(
        'retryable',
        'PONTE_BLOB_STORE_UNAVAILABLE',
        `could not read ${attachment.blobId}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (!blob) {
      const missing = missingAttachment(0, attachment.blobId);
      throw new SendFailure('permanent', missing.code, missing.message);
    }
    const fileName = attachment.fileName ?? blob.metadata.fileName;
    const item = { contentType: blob.metadata.contentType, size: blob.bytes.length };
    const judged = cloudMediaOf(fileName ? { ...item, fileName } : item);
    if ('refusal' in judged) throw new SendFailure('permanent', judged.refusal.code, judged.refusal.message);
    return { bytes: blob.bytes, ...judged, ...(fileName ? { fileName } : {}) };
  }

  private async sendAfterText(
    request: WhatsAppSendRequest,
    textExternalId: string,
    kind: MediaKind,
    body: Record<string, unknown>,
  ): Promise<GraphSendResponse> {
    const { maxAttempts, initialBackoffMs, maxBackoffMs } = this.options.partRetry;
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await this.graph.sendMessage(request.channelAccountId, body);
        acceptedOf(response);
        return response;
      } catch (error) {
        const failure =
          error instanceof SendFailure
            ? error
            : new SendFailure('uncertain', 'PONTE_SEND_UNCERTAIN', String(error));
        if (failure.kind === 'retryable' && attempt < maxAttempts) {
          this.logger.warn(
            {
              messageId: request.messageId,
              conversationId: request.conversationId,
              textWamid: textExternalId,
              attempt,
              code: failure.code,
            },
            `WhatsApp refused the ${kind} after its text for now, retrying`,
          );
          await delay(Math.min(initialBackoffMs * 2 ** (attempt - 1), maxBackoffMs));
          continue;
        }
        if (failure.kind === 'uncertain') {
          throw new SendFailure(
            'uncertain',
            failure.code,
            `The text went out (${textExternalId}); then ${failure.message}`,
            failure.httpStatus,
          );
        }
        throw new SendFailure(
          'permanent',
          PARTLY_SENT,
          `Only the text went out (${textExternalId}); the ${kind} was refused: ${failure.message} (${failure.code})`,
          failure.httpStatus,
        );
      }
    }
  }
}

/** Graph's answer as accepted; one without a message id may or may not have been sent. */
function acceptedOf(response: GraphSendResponse): SendAccepted {
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
