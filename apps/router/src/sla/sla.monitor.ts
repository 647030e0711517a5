import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { SlaKind } from '@ponte/contracts';
import type { FilterQuery, Model } from 'mongoose';
import { RouterConfig } from '../config/router.config';
import { Conversation } from '../conversations/conversation.schema';
import { ConversationEventsPublisher } from '../events/conversation-events.publisher';

const BATCH = 200;

/**
 * Watches the SLA clocks: first response (started at the first inbound, stopped by the first agent reply) and
 * resolution. Time passing is the trigger here, so this is the one periodic check of the router. A breach is
 * emitted with an id derived from the conversation and the clock, then marked on the conversation; a crash in
 * between re-emits the same envelope id, which consumers drop, so each breach is reported exactly once.
 */
@Injectable()
export class SlaMonitor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SlaMonitor.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;

  constructor(
    @InjectModel(Conversation.name) private readonly conversations: Model<Conversation>,
    private readonly config: RouterConfig,
    private readonly events: ConversationEventsPublisher,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running ??= this.checkNow(new Date())
        .catch((error: unknown) => {
          this.logger.error(`SLA check failed: ${String(error)}`);
          return 0;
        })
        .finally(() => (this.running = undefined));
    }, this.config.ROUTER_SLA_CHECK_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Reports every clock overdue at `now`; returns how many breaches it reported. */
  async checkNow(now: Date): Promise<number> {
    const firstResponse = await this.report('first-response', now, {
      firstRespondedAt: { $exists: false },
      firstResponseDueAt: { $lte: now },
    });
    const resolution = await this.report('resolution', now, { resolutionDueAt: { $lte: now } });
    return firstResponse + resolution;
  }

  private async report(sla: SlaKind, now: Date, overdue: FilterQuery<Conversation>): Promise<number> {
    const due = await this.conversations
      .find({ status: 'open', slaBreaches: { $ne: sla }, ...overdue })
      .limit(BATCH)
      .lean<Conversation[]>()
      .exec();
    for (const conversation of due) {
      const dueAt = sla === 'first-response' ? conversation.firstResponseDueAt : conversation.resolutionDueAt;
      await this.events.publish(conversation.tenantId, `sla:${conversation._id}:${sla}`, {
        events: [
          {
            kind: 'sla.breached',
            conversationId: conversation._id,
            customerId: conversation.customerId,
            occurredAt: now.toISOString(),
            sla,
            dueAt: dueAt.toISOString(),
          },
        ],
      });
      await this.conversations
        .updateOne({ _id: conversation._id, slaBreaches: { $ne: sla } }, { $push: { slaBreaches: sla } })
        .exec();
    }
    return due.length;
  }
}
