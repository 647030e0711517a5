import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import {
  type AttachmentRef,
  ContractLimits,
  ContractViolationError,
  createEnvelope,
  type InboundMessage,
  messageKey,
  Topics,
} from '@ponte/contracts';
import { MessageBus } from '@ponte/messaging';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { BlobStore } from '@ponte/channel-kit';
import { EmailIngestConfig } from '../config/email-ingest.config';
import type { MailboxSettings } from '../config/mailbox.settings';
import { EmailParser, type ParsedEmail, UnprocessableEmailError } from '../parsing/email.parser';
import { externalIdOf, idDigest } from '../threading/message-id';
import { MessageReceiptStore } from './message-receipt.store';
import { QuarantineStore } from './quarantine.store';

export const EMAIL_SOURCE = '/ponte/email-ingest';
const CLAIM_LEASE_MS = 30_000;
const CLAIM_POLL_MS = 200;

/** Where a raw mail came from: the mailbox and its IMAP coordinates. */
export interface MailOrigin {
  mailbox: MailboxSettings;
  mailboxKey: string;
  uidValidity: string;
  uid: number;
}

export type IngestOutcome =
  | { kind: 'published'; messageId: string }
  | { kind: 'duplicate'; messageId: string }
  | { kind: 'quarantined'; quarantineId: string; reason: string };

/** What `tryIngest` makes of a mail: `unprocessable` is what `ingest` quarantines. */
export type IngestAttempt =
  Exclude<IngestOutcome, { kind: 'quarantined' }> | { kind: 'unprocessable'; reason: string };

/** Test seam: called once Kafka acknowledged a mail, before its checkpoint moves. */
export const INGEST_HOOKS = Symbol('INGEST_HOOKS');
export interface IngestHooks {
  afterPublish?(origin: MailOrigin, messageId: string): Promise<void> | void;
}

/**
 * One raw mail → at most one InboundMessage on Kafka: parsed, deduplicated by Message-ID (a receipt claimed before
 * and marked after the publish), attachments and the raw mail stored as blobs, published with acks=all. Mail that
 * can never become a message is quarantined; any other failure (Kafka, MongoDB down) is thrown, so the caller
 * retries the same UID instead of moving past it.
 */
@Injectable()
export class InboundEmailPipeline {
  private readonly logger = new Logger(InboundEmailPipeline.name);

  constructor(
    private readonly config: EmailIngestConfig,
    private readonly parser: EmailParser,
    private readonly receipts: MessageReceiptStore,
    private readonly quarantine: QuarantineStore,
    private readonly blobs: BlobStore,
    private readonly bus: MessageBus,
    @Optional() @Inject(INGEST_HOOKS) private readonly hooks?: IngestHooks,
  ) {}

  get tenantId(): string {
    return this.config.EMAIL_TENANT_ID;
  }

  async ingest(raw: Buffer, origin: MailOrigin): Promise<IngestOutcome> {
    const attempt = await this.tryIngest(raw, origin);
    return attempt.kind === 'unprocessable' ? this.toQuarantine(raw, origin, attempt.reason) : attempt;
  }

  /** `ingest` without quarantining what cannot become a message: the reprocess of a quarantined mail keeps its record. */
  async tryIngest(raw: Buffer, origin: MailOrigin): Promise<IngestAttempt> {
    if (raw.length > this.config.EMAIL_MESSAGE_MAX_BYTES) {
      return { kind: 'unprocessable', reason: `larger than ${this.config.EMAIL_MESSAGE_MAX_BYTES} bytes` };
    }
    let parsed: ParsedEmail;
    try {
      parsed = await this.parser.parse(raw);
    } catch (error) {
      if (error instanceof UnprocessableEmailError) return { kind: 'unprocessable', reason: error.message };
      throw error;
    }
    const owner = randomUUID();
    if (!(await this.claim(parsed.messageId, owner)))
      return { kind: 'duplicate', messageId: parsed.messageId };
    try {
      const message = await this.normalize(raw, parsed, origin);
      const envelope = createEnvelope(Topics.inboundMessage, message, {
        source: EMAIL_SOURCE,
        tenantId: this.tenantId,
        id: `email:${message.externalId}`,
      });
      await this.bus.publish(Topics.inboundMessage, envelope, {
        key: messageKey(Topics.inboundMessage, message),
      });
    } catch (error) {
      await this.receipts.release(this.tenantId, parsed.messageId, owner).catch(() => undefined);
      if (error instanceof ContractViolationError) {
        return { kind: 'unprocessable', reason: `not a valid message: ${error.message}`.slice(0, 2_000) };
      }
      throw error;
    }
    await this.receipts.markPublished(this.tenantId, parsed.messageId, {
      ...(parsed.subject ? { subject: parsed.subject } : {}),
      references: [...parsed.references, parsed.messageId].slice(-ContractLimits.references),
      mailboxKey: origin.mailboxKey,
    });
    this.logger.log(
      {
        mailbox: origin.mailboxKey,
        uid: origin.uid,
        emailMessageId: parsed.messageId,
        attachments: parsed.attachments.length,
        automated: parsed.automated,
        htmlOutcome: parsed.htmlOutcome?.kind,
      },
      'mail published',
    );
    await this.hooks?.afterPublish?.(origin, parsed.messageId);
    return { kind: 'published', messageId: parsed.messageId };
  }

  /**
   * Quarantine records the reason and the raw bytes; reprocessing runs them through `ingest` again. `truncated`: the
   * bytes are only the beginning of the mail (it was too large to fetch whole).
   */
  async toQuarantine(
    raw: Buffer,
    origin: MailOrigin,
    reason: string,
    options: { truncated?: boolean } = {},
  ): Promise<IngestOutcome> {
    const rawBlobId = `email/quarantine/${origin.mailboxKey}/${origin.uidValidity}/${origin.uid}`;
    await this.blobs.put({ id: rawBlobId, contentType: 'message/rfc822', bytes: raw });
    const quarantineId = await this.quarantine.put({
      mailboxKey: origin.mailboxKey,
      uidValidity: origin.uidValidity,
      uid: origin.uid,
      reason,
      rawBlobId,
      size: raw.length,
      ...(options.truncated ? { truncated: true } : {}),
    });
    this.logger.warn(
      { mailbox: origin.mailboxKey, uid: origin.uid, reason, quarantineId },
      'mail quarantined',
    );
    return { kind: 'quarantined', quarantineId, reason };
  }

  /** True when this process may publish the mail; false when it is already published (or is our own reply). */
  private async claim(messageId: string, owner: string): Promise<boolean> {
    for (;;) {
      const outcome = await this.receipts.claim(this.tenantId, messageId, CLAIM_LEASE_MS, owner);
      if (outcome === 'claimed') return true;
      if (outcome === 'known') return false;
      // Another instance (or mailbox) is publishing the same mail: its outcome decides.
      await delay(CLAIM_POLL_MS);
    }
  }

  private async normalize(raw: Buffer, parsed: ParsedEmail, origin: MailOrigin): Promise<InboundMessage> {
    const digest = idDigest(parsed.messageId);
    const rawBlob = await this.blobs.put({
      id: `email/${digest}/raw`,
      contentType: 'message/rfc822',
      bytes: raw,
    });
    const attachments: AttachmentRef[] = [];
    const notes: string[] = [];
    for (const [index, attachment] of parsed.attachments.entries()) {
      const label = attachment.fileName ? `"${attachment.fileName}"` : `${index + 1}`;
      if (attachments.length >= ContractLimits.attachments) {
        notes.push(`[attachment ${label} not accepted: more than ${ContractLimits.attachments} attachments]`);
        continue;
      }
      if (attachment.bytes.length > this.config.EMAIL_ATTACHMENT_MAX_BYTES) {
        notes.push(
          `[attachment ${label} not accepted: larger than ${this.config.EMAIL_ATTACHMENT_MAX_BYTES} bytes]`,
        );
        continue;
      }
      const stored = await this.blobs.put({
        id: `email/${digest}/attachment/${index}`,
        contentType: attachment.contentType,
        bytes: attachment.bytes,
        ...(attachment.fileName ? { fileName: attachment.fileName } : {}),
      });
      attachments.push({
        blobId: stored.id,
        contentType: stored.contentType,
        size: stored.size,
        ...(attachment.fileName ? { fileName: attachment.fileName } : {}),
      });
    }
    const text = [parsed.text, ...notes].filter((part): part is string => Boolean(part)).join('\n\n');
    const mailboxAddress = origin.mailbox.address.toLowerCase();
    return {
      channel: 'email',
      channelAccountId: mailboxAddress,
      externalId: externalIdOf(parsed.messageId),
      from: parsed.from,
      // Mail that reached us by Bcc names no recipient we know: it was sent to this mailbox.
      to: parsed.to.length > 0 ? parsed.to : [{ address: mailboxAddress }],
      ...(parsed.cc.length > 0 ? { cc: parsed.cc } : {}),
      ...(parsed.replyTo.length > 0 ? { replyTo: parsed.replyTo } : {}),
      ...(parsed.sentAt ? { sentAt: parsed.sentAt } : {}),
      receivedAt: new Date().toISOString(),
      content: {
        ...(text ? { text: text.slice(0, ContractLimits.textLength) } : {}),
        ...(parsed.html ? { html: parsed.html } : {}),
        ...(parsed.subject !== undefined ? { subject: parsed.subject } : {}),
        ...(parsed.quotedText ? { quotedText: parsed.quotedText.slice(0, ContractLimits.textLength) } : {}),
      },
      ...(parsed.automated ? { automated: parsed.automated } : {}),
      ...(attachments.length > 0 ? { attachments } : {}),
      threading: {
        messageId: parsed.messageId,
        ...(parsed.inReplyTo ? { inReplyTo: parsed.inReplyTo } : {}),
        ...(parsed.references.length > 0 ? { references: parsed.references } : {}),
      },
      rawPayloadRef: rawBlob.id,
    };
  }
}
