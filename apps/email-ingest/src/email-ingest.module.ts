import { DynamicModule, Module, type Provider } from '@nestjs/common';
import { Topics } from '@ponte/contracts';
import { PlatformModule } from '@ponte/platform';
import { BlobStore, MongoBlobStore } from '@ponte/channel-kit';
import { EmailIngestConfig } from './config/email-ingest.config';
import { HtmlSanitizer } from './html/html.sanitizer';
import { INGEST_HOOKS, InboundEmailPipeline, type IngestHooks } from './ingest/inbound-email.pipeline';
import { MailboxCheckpointStore } from './ingest/mailbox-checkpoint.store';
import { MailboxIngestSupervisor } from './ingest/mailbox-ingest.supervisor';
import { ImapMailSource, MailSource } from './ingest/mail-source';
import { MessageReceiptStore } from './ingest/message-receipt.store';
import { QuarantineController } from './ingest/quarantine.controller';
import { QuarantineService } from './ingest/quarantine.service';
import { QuarantineStore } from './ingest/quarantine.store';
import { OpsTokenGuard } from './ops/ops-token.guard';
import { EmailReplyService } from './outbound/email-reply.service';
import { OutboundConsumer } from './outbound/outbound.consumer';
import { OutboundLedgerStore } from './outbound/outbound-ledger.store';
import { Mailer, NodemailerMailer } from './outbound/smtp.mailer';
import { EmailParser } from './parsing/email.parser';

/** The e-mail service sends replies queued on its outbound topic and publishes what arrives by IMAP. */
export const EMAIL_INGEST_TOPICS = [Topics.outbound.email, Topics.inboundMessage, Topics.deliveryStatus];

export interface EmailIngestModuleOptions {
  /** Test seams (see IngestHooks). */
  hooks?: IngestHooks;
}

function htmlSanitizerFor(config: EmailIngestConfig): HtmlSanitizer {
  return new HtmlSanitizer({
    maxBytes: config.EMAIL_HTML_MAX_BYTES,
    maxElements: config.EMAIL_HTML_MAX_ELEMENTS,
    timeBudgetMs: config.EMAIL_HTML_TIME_BUDGET_MS,
    allowRemoteImages: config.EMAIL_HTML_ALLOW_REMOTE_IMAGES,
  });
}

@Module({})
export class EmailIngestModule {
  static register(config: EmailIngestConfig, options: EmailIngestModuleOptions = {}): DynamicModule {
    const hooks: Provider[] = options.hooks ? [{ provide: INGEST_HOOKS, useValue: options.hooks }] : [];
    return {
      module: EmailIngestModule,
      imports: [PlatformModule.forRoot({ service: 'email-ingest', config, topics: EMAIL_INGEST_TOPICS })],
      controllers: [QuarantineController],
      providers: [
        ...hooks,
        { provide: BlobStore, useClass: MongoBlobStore },
        { provide: EmailParser, useFactory: () => new EmailParser(htmlSanitizerFor(config)) },
        {
          provide: Mailer,
          useFactory: () => new NodemailerMailer(config.EMAIL_SEND_TIMEOUT_MS),
        },
        MailboxCheckpointStore,
        MessageReceiptStore,
        QuarantineStore,
        InboundEmailPipeline,
        { provide: MailSource, useClass: ImapMailSource },
        QuarantineService,
        OpsTokenGuard,
        MailboxIngestSupervisor,
        OutboundLedgerStore,
        EmailReplyService,
        OutboundConsumer,
      ],
    };
  }
}
