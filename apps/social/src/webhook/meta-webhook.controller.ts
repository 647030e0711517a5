import { answerMetaChallenge, MetaWebhookBody } from '@ponte/channel-kit';
import { Controller, Get, HttpCode, Post, Query, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { SocialConfig } from '../config/social.config';
import { MessagingEventService } from '../inbound/messaging-event.service';
import { MetaSignatureGuard, notConfigured, type VerifiedMetaWebhook } from './meta-signature.guard';

/**
 * Meta's webhook for Messenger (`object: page`) and Instagram (`object: instagram`). GET answers the subscription
 * challenge; POST is guarded by the signature check (403 before a handler runs) and resolves only once Kafka
 * acknowledged everything it published, so a 2xx always means "stored" and any failure is a 5xx that Meta retries.
 */
@Controller('webhooks/meta')
export class MetaWebhookController {
  constructor(
    private readonly config: SocialConfig,
    private readonly events: MessagingEventService,
  ) {}

  @Get()
  verify(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) reply: FastifyReply): string {
    const verifyToken = this.config.META_VERIFY_TOKEN;
    if (!this.config.configured || !verifyToken) throw notConfigured();
    void reply.header('content-type', 'text/plain; charset=utf-8');
    return answerMetaChallenge(query, verifyToken);
  }

  @Post()
  @HttpCode(200)
  @UseGuards(MetaSignatureGuard)
  async receive(@MetaWebhookBody() webhook: VerifiedMetaWebhook): Promise<void> {
    await this.events.receive(webhook);
  }
}
