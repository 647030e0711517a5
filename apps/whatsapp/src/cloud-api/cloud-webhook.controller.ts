import { answerMetaChallenge, MetaWebhookBody } from '@ponte/channel-kit';
import { Controller, Get, HttpCode, Post, Query, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { WhatsappConfig } from '../config/whatsapp.config';
import { CloudInboundService } from './cloud-inbound.service';
import { CloudSignatureGuard, notConfigured, type VerifiedCloudWebhook } from './cloud-signature.guard';
import { CloudStatusService } from './cloud-status.service';

/**
 * The WhatsApp Cloud API webhook. GET answers Meta's subscription challenge; POST is guarded by the signature check
 * (403 before a handler runs) and resolves only once Kafka acknowledged what it published, so a 2xx always means
 * "stored", and any failure is a 5xx that Meta retries.
 */
@Controller('webhooks/whatsapp')
export class CloudWebhookController {
  constructor(
    private readonly config: WhatsappConfig,
    private readonly inbound: CloudInboundService,
    private readonly statuses: CloudStatusService,
  ) {}

  @Get()
  verify(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) reply: FastifyReply): string {
    const verifyToken = this.config.WHATSAPP_CLOUD_VERIFY_TOKEN;
    if (!this.config.cloudApiConfigured || !verifyToken) throw notConfigured();
    void reply.header('content-type', 'text/plain; charset=utf-8');
    return answerMetaChallenge(query, verifyToken);
  }

  @Post()
  @HttpCode(200)
  @UseGuards(CloudSignatureGuard)
  async receive(@MetaWebhookBody() webhook: VerifiedCloudWebhook): Promise<void> {
    await this.inbound.receive(webhook);
    await this.statuses.receive(webhook);
  }
}
