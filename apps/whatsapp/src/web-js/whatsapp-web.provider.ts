import { Logger } from '@nestjs/common';
import { type BlobStore, SendFailure } from '@ponte/channel-kit';
import type { AttachmentRef, ProviderError } from '@ponte/contracts';
import { InvalidAddressError, parseWhatsAppAddress } from '@ponte/identity';
import type { SentMessageStore } from '../outbound/sent-message.store';
import {
  type SendAccepted,
  WhatsAppProvider,
  type WhatsAppSendRequest,
} from '../provider/whatsapp-provider.port';
import type { WebMessage, WebOutgoingMedia, WebSendOptions } from './web-client.port';
import { resolveWebRecipient } from './web-recipient.resolver';
import type { WebSession } from './web-session';

export const TEMPLATES_UNSUPPORTED = 'PONTE_WHATSAPP_WEB_TEMPLATES_UNSUPPORTED';
export const SESSION_LOST = 'PONTE_WHATSAPP_WEB_SESSION_LOST';
export const NOT_CONNECTED = 'PONTE_WHATSAPP_WEB_NOT_CONNECTED';

/** A serialized whatsapp-web.js message id (`true_…`/`false_…`): the only kind WhatsApp Web can quote. */
const WEB_MESSAGE_ID = /^(true|false)_\S+@\S+_\S+$/;

export interface WebSessionDirectory {
  sessionForAccount(
    channelAccountId: string,
  ): Pick<WebSession, 'id' | 'channelAccountId' | 'tracker' | 'snapshot' | 'connectedClient'> | undefined;
}

/**
 * Sends through a whatsapp-web.js session, for accounts `web:{session id}`: text, a reply quoting a message, one
 * file from the blob store with the text as its caption. WhatsApp Web has no templates and no 24-hour window. The
 * recipient is resolved first (`@lid` as is, a phone through `getNumberId`, both Brazilian forms). Before sending,
 * the session's tracker is told, and the message id it gets is remembered and recorded before the tracker settles,
 * so the echo of the message is never taken for something typed on the phone, nor for an inbound message.
 */
export class WhatsAppWebProvider extends WhatsAppProvider {
  readonly id = 'web-js' as const;
  private readonly logger = new Logger(WhatsAppWebProvider.name);

  constructor(
    private readonly sessions: WebSessionDirectory,
    private readonly blobs: Pick<BlobStore, 'metadata' | 'read'>,
    private readonly sentMessages: Pick<SentMessageStore, 'record'>,
    private readonly maxMediaBytes: number,
  ) {
    super();
  }

  handles(channelAccountId: string): boolean {
    return this.sessions.sessionForAccount(channelAccountId) !== undefined;
  }

  async check(request: WhatsAppSendRequest): Promise<ProviderError | undefined> {
    if (request.template) {
      return {
        code: TEMPLATES_UNSUPPORTED,
        message:
          'WhatsApp Web has no message templates (they belong to the WhatsApp Cloud API): send the text itself',
        retryable: false,
      };
    }
    const attachments = request.attachments ?? [];
    if (!request.text && attachments.length === 0) {
      return {
        code: 'PONTE_EMPTY_MESSAGE',
        message: 'The message has neither text nor an attachment',
        retryable: false,
      };
    }
    if (attachments.length > 1) {
      return {
        code: 'PONTE_ATTACHMENTS_TOO_MANY',
        message: `WhatsApp sends one file per message; this one has ${attachments.length}: send them one by one`,
        retryable: false,
      };
    }
    try {
      parseWhatsAppAddress(request.to);
    } catch (error) {
      if (!(error instanceof InvalidAddressError)) throw error;
      return {
        code: 'PONTE_UNSUPPORTED_ADDRESS',
        message: `${request.to} is neither a phone number nor a WhatsApp id`,
        retryable: false,
      };
    }
    const snapshot = this.sessions.sessionForAccount(request.channelAccountId)?.snapshot();
    if (snapshot?.state === 'lost') {
      return {
        code: SESSION_LOST,
        message: `The WhatsApp Web session ${snapshot.id} is lost (${snapshot.reason ?? 'no reason given'}): an operator must restart or pair it again`,
        retryable: false,
      };
    }
    return undefined;
  }

  async send(request: WhatsAppSendRequest): Promise<SendAccepted> {
    const session = this.sessions.sessionForAccount(request.channelAccountId);
    if (!session) {
      throw new SendFailure(
        'permanent',
        'PONTE_UNKNOWN_CHANNEL_ACCOUNT',
        `${request.channelAccountId} is not configured`,
      );
    }
    const client = session.connectedClient();
    if (!client) {
      const { state, reason } = session.snapshot();
      throw new SendFailure(
        state === 'lost' ? 'permanent' : 'retryable',
        state === 'lost' ? SESSION_LOST : NOT_CONNECTED,
        `The WhatsApp Web session ${session.id} is ${state}${reason ? ` (${reason})` : ''}`,
      );
    }
    const chatId = await resolveWebRecipient(client, request.to);
    const attachment = request.attachments?.[0];
    const media = attachment ? await this.mediaOf(attachment) : undefined;
    const options: WebSendOptions =
      request.replyToExternalId && WEB_MESSAGE_ID.test(request.replyToExternalId)
        ? { quotedMessageId: request.replyToExternalId }
        : {};
    const settle = session.tracker.begin();
    try {
      let sent: WebMessage | undefined;
      try {
        sent = media
          ? await client.sendMedia(
              chatId,
              { ...media, ...(request.text ? { caption: request.text } : {}) },
              options,
            )
          : await client.sendText(chatId, request.text ?? '', options);
      } catch (error) {
        throw new SendFailure(
          'uncertain',
          'PONTE_SEND_UNCERTAIN',
          `WhatsApp Web failed while sending (${error instanceof Error ? error.message : String(error)}); the message may or may not have been sent`,
        );
      }
      if (!sent) {
        throw new SendFailure(
          'permanent',
          'PONTE_WHATSAPP_WEB_CHAT_NOT_FOUND',
          `WhatsApp Web has no chat ${chatId}`,
        );
      }
      const externalId = sent.id._serialized;
      const reference = {
        messageId: request.messageId,
        conversationId: request.conversationId,
        tenantId: request.tenantId,
      };
      session.tracker.remember(externalId, reference);
      await this.sentMessages
        .record({
          _id: externalId,
          ...reference,
          channelAccountId: request.channelAccountId,
          sentAt: new Date(),
        })
        .catch((error: unknown) => {
          // The tracker knows it in this process; the sender records it again before reporting `queued`.
          this.logger.warn(
            { messageId: request.messageId, externalId, err: error },
            'could not record the sent message',
          );
        });
      return { externalId, state: 'queued', recipientId: chatId };
    } finally {
      settle();
    }
  }

  private async mediaOf(attachment: AttachmentRef): Promise<WebOutgoingMedia> {
    let blob;
    try {
      const metadata = await this.blobs.metadata(attachment.blobId);
      if (metadata && metadata.size > this.maxMediaBytes) {
        throw new SendFailure(
          'permanent',
          'PONTE_ATTACHMENT_TOO_LARGE',
          `${attachment.blobId} has ${metadata.size} bytes, more than the ${this.maxMediaBytes} WHATSAPP_WEB_MEDIA_MAX_BYTES`,
        );
      }
      blob = metadata ? await this.blobs.read(attachment.blobId) : null;
    } catch (error) {
      if (error instanceof SendFailure) throw error;
      throw new SendFailure(
        'retryable',
        'PONTE_BLOB_STORE_UNAVAILABLE',
        `could not read ${attachment.blobId}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (!blob) {
      throw new SendFailure('permanent', 'PONTE_ATTACHMENT_MISSING', `no blob ${attachment.blobId}`);
    }
    const fileName = attachment.fileName ?? blob.metadata.fileName;
    return {
      mimetype: blob.metadata.contentType,
      data: blob.bytes.toString('base64'),
      ...(fileName ? { filename: fileName } : {}),
    };
  }
}
