import { Injectable, Logger } from '@nestjs/common';
import { BlobStore } from '@ponte/channel-kit';
import { EmailIngestConfig } from '../config/email-ingest.config';
import type { MailboxSettings } from '../config/mailbox.settings';
import { InboundEmailPipeline, type IngestOutcome } from './inbound-email.pipeline';
import { MailSource } from './mail-source';
import { QuarantineNotFoundError, QuarantineReprocessError } from './quarantine.errors';
import { type QuarantinedMail, QuarantineStore } from './quarantine.store';

export type ReprocessOutcome =
  | IngestOutcome
  /** Reprocessed before: nothing is run or published again. */
  | { kind: 'already-reprocessed'; messageId?: string };

/** Records quarantined before `truncated` existed: the ingestor's size quarantine is the only one with "(size)". */
const LEGACY_TRUNCATED_REASON = /^larger than \d+ bytes \(\d+\)$/;

/**
 * The reprocess path of quarantined mail: after a fix (a parser upgrade, a raised limit) an operator runs the raw
 * mail through the pipeline again. Mail quarantined for its size kept only its first bytes, so it is read again from
 * the server by UID. Publishing is deduplicated like any ingest; a record that was reprocessed is not run again. A
 * mail that still fails stays quarantined, its original reason kept and the new failure in `lastError`.
 */
@Injectable()
export class QuarantineService {
  private readonly logger = new Logger(QuarantineService.name);

  constructor(
    private readonly config: EmailIngestConfig,
    private readonly store: QuarantineStore,
    private readonly blobs: BlobStore,
    private readonly pipeline: InboundEmailPipeline,
    private readonly source: MailSource,
  ) {}

  async reprocess(quarantineId: string): Promise<ReprocessOutcome> {
    const record = await this.store.get(quarantineId);
    if (!record) throw new QuarantineNotFoundError(quarantineId);
    if (record.state === 'reprocessed') {
      return { kind: 'already-reprocessed', ...(record.messageId ? { messageId: record.messageId } : {}) };
    }
    const outcome = await this.run(record).catch(async (error: unknown) => {
      if (error instanceof QuarantineReprocessError) await this.noteFailure(record, error.message);
      throw error;
    });
    this.logger.log(
      { quarantineId, mailbox: record.mailboxKey, uid: record.uid, outcome: outcome.kind },
      'quarantined mail reprocessed',
    );
    return outcome;
  }

  private async run(record: QuarantinedMail): Promise<IngestOutcome> {
    const mailbox = this.config.mailboxes.find((candidate) =>
      record.mailboxKey.startsWith(`${candidate.id}/`),
    );
    if (!mailbox) {
      throw new QuarantineReprocessError(
        'QUARANTINE_MAILBOX_NOT_CONFIGURED',
        record._id,
        `mailbox ${record.mailboxKey} is no longer configured (EMAIL_MAILBOXES)`,
      );
    }
    const raw = await this.rawMail(record, mailbox);
    const attempt =
      typeof raw === 'string'
        ? ({ kind: 'unprocessable', reason: raw } as const)
        : await this.pipeline.tryIngest(raw, {
            mailbox,
            mailboxKey: record.mailboxKey,
            uidValidity: record.uidValidity,
            uid: record.uid,
          });
    if (attempt.kind === 'unprocessable') {
      await this.noteFailure(record, attempt.reason);
      return { kind: 'quarantined', quarantineId: record._id, reason: attempt.reason };
    }
    await this.store.markReprocessed(record._id, attempt.messageId);
    return attempt;
  }

  /** The whole raw mail, or why it cannot be processed yet (still over the size limit). */
  private async rawMail(record: QuarantinedMail, mailbox: MailboxSettings): Promise<Buffer | string> {
    const maxBytes = this.config.EMAIL_MESSAGE_MAX_BYTES;
    if (record.truncated ?? LEGACY_TRUNCATED_REASON.test(record.reason)) {
      const fetched = await this.source.fetch(
        {
          mailbox,
          folder: record.mailboxKey.slice(mailbox.id.length + 1),
          uidValidity: record.uidValidity,
          uid: record.uid,
        },
        maxBytes,
      );
      switch (fetched.kind) {
        case 'found':
          return fetched.source;
        case 'too-large':
          return `still larger than ${maxBytes} bytes (${fetched.size})`;
        case 'gone':
          throw new QuarantineReprocessError(
            'QUARANTINE_MAIL_GONE',
            record._id,
            `only the first ${record.size} bytes were kept and the whole mail cannot be read again: ${fetched.reason}`,
          );
      }
    }
    const stored = await this.blobs.read(record.rawBlobId);
    if (!stored) {
      throw new QuarantineReprocessError(
        'QUARANTINE_RAW_MAIL_MISSING',
        record._id,
        `the raw mail of ${record._id} (blob ${record.rawBlobId}) is missing`,
      );
    }
    return stored.bytes;
  }

  private async noteFailure(record: QuarantinedMail, reason: string): Promise<void> {
    await this.store.noteReprocessFailure(record._id, reason);
  }
}
