import { Injectable, Logger } from '@nestjs/common';
import {
  createEnvelope,
  type DeliveryState,
  type DeliveryStatus,
  type EnvelopeOf,
  messageKey,
  type OutboundMessage,
  type ProviderError,
  Topics,
} from '@ponte/contracts';
import { MessageBus } from '@ponte/messaging';
import { setTimeout as delay } from 'node:timers/promises';
import { BlobStore } from '@ponte/channel-kit';
import { EmailIngestConfig } from '../config/email-ingest.config';
import type { MailboxSettings } from '../config/mailbox.settings';
import { EMAIL_SOURCE } from '../ingest/inbound-email.pipeline';
import { MessageReceiptStore } from '../ingest/message-receipt.store';
import { formatMessageId, idDigest, normalizeMessageId, parseMessageIdList } from '../threading/message-id';
import { type LedgerEntry, OutboundLedgerStore } from './outbound-ledger.store';
import { Mailer, type OutgoingMail, SendFailure } from './smtp.mailer';

export type ReplyOutcome = 'sent' | 'failed' | 'replayed' | 'in-flight-elsewhere';

/** References kept on a reply: the thread's first mail and the most recent ones (as mail clients trim them). */
const MAX_REFERENCES = 20;
const EMAIL_ADDRESS = /^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>".]+$/;

/**
 * Sends an agent's reply from the mailbox it is addressed from, at most once per outbound message id, in the
 * customer's thread: `In-Reply-To` the mail answered, `References` that mail's own references plus it, the subject
 * of the thread with "Re:". Its Message-ID is derived from the outbound message id and recorded (ledger and
 * receipts) before SMTP sees the mail, so the copy that comes back through IMAP is recognized, not ingested.
 *
 * Replays follow the sms service's ledger rules: `sent`/`failed` → the status is published again, nothing is sent;
 * `retrying` → sending resumes; `sending` → the service died while the SMTP server had the mail, so it reports
 * `failed` with PONTE_SEND_UNCERTAIN rather than risk a second copy in the customer's inbox.
 */
@Injectable()
export class EmailReplyService {
  private readonly logger = new Logger(EmailReplyService.name);

  constructor(
    private readonly config: EmailIngestConfig,
    private readonly mailer: Mailer,
    private readonly ledger: OutboundLedgerStore,
    private readonly receipts: MessageReceiptStore,
    private readonly blobs: BlobStore,
    private readonly bus: MessageBus,
  ) {}

  async handle(envelope: EnvelopeOf<typeof Topics.outbound.email>): Promise<ReplyOutcome> {
    const message = envelope.data;
    const tenantId = envelope.tenantId;
    const existing = await this.ledger.get(message.messageId);
    if (existing && existing.state !== 'retrying') return this.replay(tenantId, message, existing);

    const mailbox = this.config.mailboxByAddress(message.channelAccountId);
    const emailMessageId = existing?.emailMessageId ?? this.newMessageId(tenantId, message, mailbox);
    const refusal = this.refusalOf(message, mailbox);
    if (refusal || !mailbox) {
      if (!existing && !(await this.startLedger(message, emailMessageId))) return 'in-flight-elsewhere';
      await this.fail(tenantId, message, refusal ?? unknownMailbox(message));
      return 'failed';
    }
    const built = await this.buildMail(tenantId, message, mailbox, emailMessageId);
    if ('code' in built) {
      if (!existing && !(await this.startLedger(message, emailMessageId))) return 'in-flight-elsewhere';
      await this.fail(tenantId, message, built);
      return 'failed';
    }
    let attempt = existing?.attempts ?? 0;
    for (;;) {
      attempt += 1;
      if (attempt === 1) {
        if (!(await this.startLedger(message, emailMessageId))) return 'in-flight-elsewhere';
        // Before SMTP sees it: the copy that comes back through IMAP (Bcc, Sent folder) is then known.
        await this.receipts.recordSent(tenantId, emailMessageId, {
          subject: built.subject,
          references: [...(built.references ?? []).map((id) => normalizeMessageId(id) ?? id), emailMessageId],
          mailboxKey: `${mailbox.id}/${mailbox.imap.folder}`,
        });
      } else {
        if (!(await this.ledger.claimAttempt(message.messageId, attempt))) return 'in-flight-elsewhere';
        await this.ledger.update(message.messageId, { state: 'sending', attempts: attempt });
      }
      try {
        const { response } = await this.mailer.send(mailbox, built);
        await this.ledger.update(message.messageId, { state: 'sent', response });
        await this.publish(tenantId, message, 'sent', { externalId: emailMessageId });
        this.logger.log(
          { messageId: message.messageId, conversationId: message.conversationId, emailMessageId, attempt },
          'reply accepted by the SMTP server',
        );
        return 'sent';
      } catch (error) {
        const failure =
          error instanceof SendFailure
            ? error
            : new SendFailure('uncertain', 'PONTE_SEND_UNCERTAIN', String(error));
        if (failure.kind === 'retryable' && attempt < this.config.EMAIL_SEND_MAX_ATTEMPTS) {
          await this.ledger.update(message.messageId, {
            state: 'retrying',
            error: { code: failure.code, message: failure.message, retryable: true },
          });
          await delay(this.config.EMAIL_SEND_INITIAL_BACKOFF_MS * 2 ** (attempt - 1));
          continue;
        }
        await this.fail(tenantId, message, {
          code: failure.code,
          message: failure.message,
          retryable: failure.kind === 'retryable',
        });
        return 'failed';
      }
    }
  }

  private async buildMail(
    tenantId: string,
    message: OutboundMessage,
    mailbox: MailboxSettings,
    emailMessageId: string,
  ): Promise<OutgoingMail | ProviderError> {
    const inReplyTo =
      normalizeMessageId(message.emailHeaders?.inReplyTo) ??
      (message.replyToExternalId ? normalizeMessageId(message.replyToExternalId) : undefined);
    const answered = inReplyTo ? await this.receipts.get(tenantId, inReplyTo) : null;
    const references = trimReferences([
      ...(answered?.references ?? []),
      ...parseMessageIdList(message.emailHeaders?.references),
      ...(inReplyTo ? [inReplyTo] : []),
    ]);
    const attachments: NonNullable<OutgoingMail['attachments']> = [];
    for (const attachment of message.attachments ?? []) {
      const blob = await this.blobs.read(attachment.blobId);
      if (!blob) {
        return {
          code: 'PONTE_ATTACHMENT_MISSING',
          message: `attachment ${attachment.blobId} is not in the blob store`,
          retryable: false,
        };
      }
      attachments.push({
        contentType: attachment.contentType,
        content: blob.bytes,
        ...(attachment.fileName ? { filename: attachment.fileName } : {}),
      });
    }
    const subject = replySubject(message.content.subject ?? answered?.subject, inReplyTo !== undefined);
    return {
      from: { address: mailbox.address, ...(mailbox.displayName ? { name: mailbox.displayName } : {}) },
      to: {
        address: message.to.address.trim(),
        ...(message.to.displayName ? { name: message.to.displayName } : {}),
      },
      ...(message.cc && message.cc.length > 0
        ? {
            cc: message.cc.map((address) => ({
              address: address.address,
              ...(address.displayName ? { name: address.displayName } : {}),
            })),
          }
        : {}),
      subject,
      ...(message.content.text !== undefined ? { text: message.content.text } : {}),
      ...(message.content.html !== undefined ? { html: message.content.html } : {}),
      messageId: formatMessageId(emailMessageId),
      ...(inReplyTo ? { inReplyTo: formatMessageId(inReplyTo) } : {}),
      ...(references.length > 0 ? { references: references.map(formatMessageId) } : {}),
      ...(attachments.length > 0 ? { attachments } : {}),
    };
  }

  private refusalOf(
    message: OutboundMessage,
    mailbox: MailboxSettings | undefined,
  ): ProviderError | undefined {
    if (!mailbox || !mailbox.smtp) return unknownMailbox(message);
    const addresses = [message.to, ...(message.cc ?? [])].map((address) => address.address.trim());
    const invalid = addresses.find((address) => !EMAIL_ADDRESS.test(address));
    if (invalid !== undefined) {
      return {
        code: 'PONTE_UNSUPPORTED_ADDRESS',
        message: `not an e-mail address: ${invalid}`,
        retryable: false,
      };
    }
    return undefined;
  }

  /** Deterministic, so a replay computes the same id even before reading the ledger. */
  private newMessageId(
    tenantId: string,
    message: OutboundMessage,
    mailbox: MailboxSettings | undefined,
  ): string {
    const domain =
      (mailbox?.address ?? message.channelAccountId).split('@').pop()?.toLowerCase() || 'ponte.invalid';
    return `ponte.${idDigest(`${tenantId}/${message.messageId}`)}@${domain}`;
  }

  private startLedger(message: OutboundMessage, emailMessageId: string): Promise<boolean> {
    return this.ledger.start({
      _id: message.messageId,
      emailMessageId,
      from: message.channelAccountId,
      to: message.to.address,
    });
  }

  private async replay(
    tenantId: string,
    message: OutboundMessage,
    entry: LedgerEntry,
  ): Promise<ReplyOutcome> {
    this.logger.log(
      { messageId: message.messageId, conversationId: message.conversationId, state: entry.state },
      'replayed outbound e-mail: not sending again',
    );
    switch (entry.state) {
      case 'sent':
        await this.publish(tenantId, message, 'sent', { externalId: entry.emailMessageId });
        return 'replayed';
      case 'failed':
        await this.publish(tenantId, message, 'failed', {
          error: entry.error ?? { code: 'unknown', message: 'failed', retryable: false },
        });
        return 'replayed';
      case 'sending':
        await this.fail(tenantId, message, {
          code: 'PONTE_SEND_UNCERTAIN',
          message:
            'The e-mail service stopped while the SMTP server had this mail; it may or may not have been sent',
          retryable: false,
        });
        return 'replayed';
      case 'retrying':
        throw new Error('a retrying entry resumes sending, it is not a replay');
    }
  }

  private async fail(tenantId: string, message: OutboundMessage, error: ProviderError): Promise<void> {
    await this.ledger.update(message.messageId, {
      state: 'failed',
      error: { code: error.code, message: error.message, retryable: error.retryable ?? false },
    });
    await this.publish(tenantId, message, 'failed', { error });
    this.logger.warn(
      { messageId: message.messageId, conversationId: message.conversationId, code: error.code },
      `outbound e-mail failed: ${error.message}`,
    );
  }

  private async publish(
    tenantId: string,
    message: OutboundMessage,
    state: DeliveryState,
    extra: Pick<DeliveryStatus, 'externalId' | 'error'>,
  ): Promise<void> {
    const status: DeliveryStatus = {
      messageId: message.messageId,
      conversationId: message.conversationId,
      channel: message.channel,
      channelAccountId: message.channelAccountId,
      state,
      occurredAt: new Date().toISOString(),
      ...(extra.externalId ? { externalId: extra.externalId.slice(0, 256) } : {}),
      ...(extra.error ? { error: extra.error } : {}),
    };
    const envelope = createEnvelope(Topics.deliveryStatus, status, { source: EMAIL_SOURCE, tenantId });
    await this.bus.publish(Topics.deliveryStatus, envelope, {
      key: messageKey(Topics.deliveryStatus, status),
    });
  }
}

function unknownMailbox(message: OutboundMessage): ProviderError {
  return {
    code: 'PONTE_UNKNOWN_MAILBOX',
    message: `no mailbox with SMTP settings is configured for ${message.channelAccountId}`,
    retryable: false,
  };
}

/** "Re: " once, whatever the client's prefix ("RE:", "Res:", "AW:"…); a new mail keeps its subject as is. */
export function replySubject(subject: string | undefined, isReply: boolean): string {
  const base = (subject ?? '').replace(/[\r\n]+/g, ' ').trim();
  if (!isReply) return base;
  if (/^(re|res|aw|sv|antw|r)\s*:/i.test(base)) return base;
  return base === '' ? 'Re:' : `Re: ${base}`;
}

/** Deduplicated in order; past MAX_REFERENCES, the first (the thread's root) and the most recent ones. */
export function trimReferences(ids: readonly string[]): string[] {
  const unique = [...new Set(ids)];
  if (unique.length <= MAX_REFERENCES) return unique;
  return [unique[0] as string, ...unique.slice(-(MAX_REFERENCES - 1))];
}
