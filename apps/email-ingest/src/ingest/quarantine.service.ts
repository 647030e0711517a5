import { Injectable, Logger } from '@nestjs/common';
import { BlobStore } from '@ponte/channel-kit';
import { EmailIngestConfig } from '../config/email-ingest.config';
import { InboundEmailPipeline, type IngestOutcome } from './inbound-email.pipeline';
import { QuarantineStore } from './quarantine.store';

export class QuarantineNotFoundError extends Error {
  override readonly name = 'QuarantineNotFoundError';
}

/**
 * The reprocess path of quarantined mail: after a fix (a parser upgrade, a raised limit) an operator runs the raw
 * mail through the pipeline again. Publishing is deduplicated like any ingest; a mail that still fails stays in
 * quarantine with the new reason.
 */
@Injectable()
export class QuarantineService {
  private readonly logger = new Logger(QuarantineService.name);

  constructor(
    private readonly config: EmailIngestConfig,
    private readonly store: QuarantineStore,
    private readonly blobs: BlobStore,
    private readonly pipeline: InboundEmailPipeline,
  ) {}

  async reprocess(quarantineId: string): Promise<IngestOutcome> {
    const record = await this.store.get(quarantineId);
    if (!record) throw new QuarantineNotFoundError(`no quarantined mail ${quarantineId}`);
    const raw = await this.blobs.read(record.rawBlobId);
    if (!raw) throw new QuarantineNotFoundError(`the raw mail of ${quarantineId} is missing`);
    const mailbox = this.config.mailboxes.find((candidate) =>
      record.mailboxKey.startsWith(`${candidate.id}/`),
    );
    if (!mailbox) throw new QuarantineNotFoundError(`mailbox ${record.mailboxKey} is no longer configured`);
    const outcome = await this.pipeline.ingest(raw.bytes, {
      mailbox,
      mailboxKey: record.mailboxKey,
      uidValidity: record.uidValidity,
      uid: record.uid,
    });
    if (outcome.kind !== 'quarantined') {
      await this.store.update(quarantineId, { state: 'reprocessed', reprocessedAt: new Date() });
    }
    this.logger.log({ quarantineId, outcome: outcome.kind }, 'quarantined mail reprocessed');
    return outcome;
  }
}
