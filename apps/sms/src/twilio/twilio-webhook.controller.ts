import { Controller, HttpCode, Post, Query, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { InboundMessageService } from '../inbound/inbound-message.service';
import { type StatusCallbackQuery, StatusCallbackService } from '../status/status-callback.service';
import { TwilioSignatureGuard, TwilioWebhook, type VerifiedTwilioWebhook } from './twilio-signature.guard';

/** An empty TwiML document: Twilio sends no automatic reply. */
export const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

/**
 * Twilio's webhooks. The guard rejects anything not signed by our account (403) before a handler runs; a handler
 * resolves only once Kafka acknowledged what it published, so a 2xx always means "stored", and any failure is a 5xx
 * that Twilio may retry.
 */
@Controller('webhooks/twilio')
@UseGuards(TwilioSignatureGuard)
export class TwilioWebhookController {
  constructor(
    private readonly inbound: InboundMessageService,
    private readonly statuses: StatusCallbackService,
  ) {}

  @Post('messages')
  @HttpCode(200)
  async message(
    @TwilioWebhook() webhook: VerifiedTwilioWebhook,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    await this.inbound.receive(webhook);
    return twiml(reply);
  }

  @Post('status')
  @HttpCode(200)
  async status(
    @TwilioWebhook() webhook: VerifiedTwilioWebhook,
    @Query() query: StatusCallbackQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    await this.statuses.receive(webhook, {
      ...(typeof query.messageId === 'string' ? { messageId: query.messageId } : {}),
      ...(typeof query.conversationId === 'string' ? { conversationId: query.conversationId } : {}),
      ...(typeof query.tenantId === 'string' ? { tenantId: query.tenantId } : {}),
    });
    return twiml(reply);
  }
}

/** Set on success only: an error keeps Nest's JSON body with its JSON content type. */
function twiml(reply: FastifyReply): string {
  void reply.header('content-type', 'text/xml; charset=utf-8');
  return EMPTY_TWIML;
}
