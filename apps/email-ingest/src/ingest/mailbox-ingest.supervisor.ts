import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { EmailIngestConfig } from '../config/email-ingest.config';
import { InboundEmailPipeline } from './inbound-email.pipeline';
import { MailboxCheckpointStore } from './mailbox-checkpoint.store';
import { MailboxIngestor } from './mailbox.ingestor';
import { MessageReceiptStore } from './message-receipt.store';

/** One ingestor (one IMAP connection) per configured mailbox, started once the app is up and stopped before it closes. */
@Injectable()
export class MailboxIngestSupervisor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(MailboxIngestSupervisor.name);
  readonly ingestors: MailboxIngestor[];

  constructor(
    config: EmailIngestConfig,
    checkpoints: MailboxCheckpointStore,
    receipts: MessageReceiptStore,
    pipeline: InboundEmailPipeline,
  ) {
    this.ingestors = config.mailboxes.map(
      (mailbox) => new MailboxIngestor(mailbox, { config, checkpoints, receipts, pipeline }),
    );
  }

  onApplicationBootstrap(): void {
    if (this.ingestors.length === 0) {
      this.logger.warn('no mailbox configured (EMAIL_MAILBOXES): no IMAP connection is opened');
      return;
    }
    for (const ingestor of this.ingestors) ingestor.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.ingestors.map((ingestor) => ingestor.stop()));
  }
}
