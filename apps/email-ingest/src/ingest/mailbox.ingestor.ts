import { Logger } from '@nestjs/common';
import type { FetchMessageObject, ImapFlow } from 'imapflow';
import { setTimeout as delay } from 'node:timers/promises';
import type { EmailIngestConfig } from '../config/email-ingest.config';
import type { MailboxSettings } from '../config/mailbox.settings';
import { normalizeMessageId } from '../threading/message-id';
import { imapClientFor } from './imap-client';
import type { InboundEmailPipeline, MailOrigin } from './inbound-email.pipeline';
import type { MailboxCheckpointStore } from './mailbox-checkpoint.store';
import type { MessageReceiptStore } from './message-receipt.store';

export interface MailboxIngestorDependencies {
  config: EmailIngestConfig;
  checkpoints: MailboxCheckpointStore;
  receipts: MessageReceiptStore;
  pipeline: InboundEmailPipeline;
}

export type IngestorState = 'idle' | 'connecting' | 'syncing' | 'waiting' | 'backing-off' | 'stopped';

/**
 * One IMAP connection for one mailbox folder. Each sync lists the UIDs above the checkpoint (`UID SEARCH`), reads
 * their envelopes in batches, skips Message-IDs already published (a redelivery, the same mail in another mailbox,
 * a resync after a UIDVALIDITY change), and fetches, publishes and checkpoints the rest in UID order, a window of
 * EMAIL_INGEST_CONCURRENCY mails at a time.
 * Only UIDs are used: sequence numbers shift when another client expunges, UIDs never do, so a concurrent EXPUNGE
 * can only remove a mail that is then gone, never make the loop skip another.
 *
 * Between syncs the connection IDLEs and wakes on EXISTS, with a poll as fallback. Any
 * failure ends the session; the next one reconnects with exponential backoff and resumes at the checkpoint.
 */
export class MailboxIngestor {
  private readonly logger: Logger;
  private stopped = false;
  private running?: Promise<void>;
  private wake?: () => void;
  /** Set when new mail was announced while a sync ran, so the next wait returns at once. */
  private woken = false;
  private client?: ImapFlow;
  private currentState: IngestorState = 'idle';
  /** Aborted by stop(): ends a backoff wait, which new-mail notifications must not shorten. */
  private readonly stopping = new AbortController();
  private syncs = 0;

  constructor(
    readonly mailbox: MailboxSettings,
    private readonly deps: MailboxIngestorDependencies,
  ) {
    this.logger = new Logger(`MailboxIngestor:${mailbox.id}`);
  }

  get key(): string {
    return `${this.mailbox.id}/${this.mailbox.imap.folder}`;
  }

  get state(): IngestorState {
    return this.currentState;
  }

  /** Completed syncs since start (tests poll it rather than sleep). */
  get completedSyncs(): number {
    return this.syncs;
  }

  start(): void {
    this.running ??= this.run();
  }

  /** Lets the mail in progress finish (publish and checkpoint), then logs out. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    this.signal();
    await this.running;
    this.currentState = 'stopped';
  }

  private async run(): Promise<void> {
    const { EMAIL_RECONNECT_INITIAL_BACKOFF_MS: initial, EMAIL_RECONNECT_MAX_BACKOFF_MS: max } =
      this.deps.config;
    let backoff = initial;
    while (!this.stopped) {
      const started = Date.now();
      try {
        await this.session();
      } catch (error) {
        if (this.stopped) break;
        this.logger.warn(
          { mailbox: this.key, err: error },
          `IMAP session ended: ${(error as Error).message}`,
        );
      }
      if (this.stopped) break;
      // A session that lasted longer than the backoff was healthy: start over from the shortest wait.
      if (Date.now() - started > backoff * 2) backoff = initial;
      this.currentState = 'backing-off';
      await delay(backoff, undefined, { signal: this.stopping.signal }).catch(() => undefined);
      backoff = Math.min(backoff * 2, max);
    }
  }

  private async session(): Promise<void> {
    const { imap } = this.mailbox;
    this.currentState = 'connecting';
    this.woken = false;
    const client = imapClientFor(imap);
    this.client = client;
    let closed = false;
    client.on('error', (error: Error) => {
      this.logger.warn({ mailbox: this.key, err: error }, 'IMAP connection error');
    });
    client.on('close', () => {
      closed = true;
      this.signal();
    });
    client.on('exists', () => this.signal());
    try {
      await client.connect();
      // Read-only (EXAMINE): ingest never changes the mailbox, flags included.
      await client.mailboxOpen(imap.folder, { readOnly: true });
      while (!this.stopped && !closed) {
        this.currentState = 'syncing';
        await this.sync(client);
        this.syncs += 1;
        if (this.stopped || closed) break;
        this.currentState = 'waiting';
        // The next command (the next sync's SEARCH) ends the IDLE; a failed IDLE leaves the poll to find new mail.
        if (this.deps.config.EMAIL_IMAP_IDLE) void client.idle().catch(() => undefined);
        await this.sleep(this.deps.config.EMAIL_POLL_INTERVAL_MS);
      }
      if (!this.stopped) throw new Error('the IMAP server closed the connection');
    } finally {
      this.client = undefined;
      if (!closed) await client.logout().catch(() => client.close());
    }
  }

  private async sync(client: ImapFlow): Promise<void> {
    const { checkpoints, receipts, pipeline, config } = this.deps;
    const opened = client.mailbox;
    if (!opened) throw new Error(`mailbox ${this.mailbox.imap.folder} is not open`);
    const uidValidity = String(opened.uidValidity);
    const checkpoint = await checkpoints.get(this.key);
    let lastUid = checkpoint?.uidValidity === uidValidity ? checkpoint.lastUid : 0;
    if (checkpoint && checkpoint.uidValidity !== uidValidity) {
      // The UIDs we knew mean nothing now: read everything again; the receipts skip what was already published.
      this.logger.warn(
        { mailbox: this.key, previous: checkpoint.uidValidity, uidValidity },
        'UIDVALIDITY changed: resyncing the mailbox by Message-ID',
      );
      await checkpoints.save(this.key, uidValidity, 0);
    }
    // `N:*` also matches the highest UID when it is below N (RFC 3501 §6.4.8), hence the filter.
    const found = await client.search({ uid: `${lastUid + 1}:*` }, { uid: true });
    const pending = (found || []).filter((uid) => uid > lastUid).sort((a, b) => a - b);
    for (let start = 0; start < pending.length && !this.stopped; start += config.EMAIL_FETCH_BATCH) {
      const batch = pending.slice(start, start + config.EMAIL_FETCH_BATCH);
      const listed = await client.fetchAll(
        batch.join(','),
        { uid: true, envelope: true, size: true },
        { uid: true },
      );
      const byUid = new Map(listed.map((message) => [message.uid, message]));
      const known = await receipts.known(
        pipeline.tenantId,
        listed
          .map((message) => normalizeMessageId(message.envelope?.messageId))
          .filter((id): id is string => !!id),
      );
      // Windows of consecutive UIDs side by side; the checkpoint passes a window only once all of it is published
      // (or quarantined). A failure ends the session before that, and the next one starts at the window again: what
      // was published meanwhile is recognized by its receipt, so nothing is lost or doubled.
      for (let from = 0; from < batch.length; from += config.EMAIL_INGEST_CONCURRENCY) {
        if (this.stopped) return;
        const window = batch.slice(from, from + config.EMAIL_INGEST_CONCURRENCY);
        await Promise.all(
          window.map(async (uid) => {
            const listing = byUid.get(uid);
            const messageId = normalizeMessageId(listing?.envelope?.messageId);
            // Not listed: expunged since the search. Known: published before (or our own reply coming back).
            if (!listing || (messageId && known.has(messageId))) return;
            await this.ingestOne(client, listing, {
              mailbox: this.mailbox,
              mailboxKey: this.key,
              uidValidity,
              uid,
            });
          }),
        );
        lastUid = window[window.length - 1] ?? lastUid;
        await checkpoints.save(this.key, uidValidity, lastUid);
      }
    }
  }

  private async ingestOne(client: ImapFlow, listing: FetchMessageObject, origin: MailOrigin): Promise<void> {
    const maxBytes = this.deps.config.EMAIL_MESSAGE_MAX_BYTES;
    const tooLarge = (listing.size ?? 0) > maxBytes;
    const message = await client.fetchOne(
      String(origin.uid),
      { uid: true, source: tooLarge ? { maxLength: maxBytes } : true },
      { uid: true },
    );
    // Expunged between the listing and now: it is gone, nothing to publish.
    if (!message || !message.source) return;
    if (tooLarge) {
      // Only the first bytes were fetched: a reprocess reads the whole mail from the server again.
      const reason = `larger than ${maxBytes} bytes (${listing.size})`;
      await this.deps.pipeline.toQuarantine(message.source, origin, reason, { truncated: true });
      return;
    }
    await this.deps.pipeline.ingest(message.source, origin);
  }

  private signal(): void {
    this.woken = true;
    this.wake?.();
  }

  private async sleep(ms: number): Promise<void> {
    if (this.stopped || this.woken) {
      this.woken = false;
      return;
    }
    const controller = new AbortController();
    const woken = new Promise<void>((resolve) => {
      this.wake = resolve;
    });
    await Promise.race([delay(ms, undefined, { signal: controller.signal }).catch(() => undefined), woken]);
    controller.abort();
    this.wake = undefined;
    this.woken = false;
  }
}
