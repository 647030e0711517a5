import { Injectable, Logger } from '@nestjs/common';
import { createEnvelope, type DeliveryStatus, messageKey, Topics } from '@ponte/contracts';
import { MessageBus } from '@ponte/messaging';
import { SmsConfig } from '../config/sms.config';
import { channelOfAddress } from '../inbound/inbound-message.normalizer';
import { SMS_SOURCE } from '../inbound/inbound-message.service';
import type { VerifiedTwilioWebhook } from '../twilio/twilio-signature.guard';
import { deliveryStateOf, isTwilioMessageStatus, twilioErrorMessage } from '../twilio/twilio-status.mapper';
import { param } from '../twilio/twilio-webhook.params';

/** What the StatusCallback URL of a send carries (see TwilioStatusCallbackUrl): our ids, signed along by Twilio. */
export interface StatusCallbackQuery {
  messageId?: string;
  conversationId?: string;
  tenantId?: string;
}

export type StatusOutcome = 'published' | 'ignored';

/**
 * A Twilio status callback as a DeliveryStatus. Twilio's callbacks only name its own MessageSid, so each send puts
 * our message id in the callback URL. Redelivered or out-of-order callbacks are published as they come: the router
 * only ever moves a status forward, so repeating one is harmless.
 */
@Injectable()
export class StatusCallbackService {
  private readonly logger = new Logger(StatusCallbackService.name);

  constructor(
    private readonly config: SmsConfig,
    private readonly bus: MessageBus,
  ) {}

  async receive(webhook: VerifiedTwilioWebhook, query: StatusCallbackQuery): Promise<StatusOutcome> {
    const { params } = webhook;
    const rawStatus = param(params, 'MessageStatus') ?? param(params, 'SmsStatus');
    const messageSid = param(params, 'MessageSid') ?? param(params, 'SmsSid');
    const from = param(params, 'From');
    const state = isTwilioMessageStatus(rawStatus) ? deliveryStateOf(rawStatus) : undefined;
    const channel = from ? channelOfAddress(from) : undefined;
    if (!query.messageId || !state || !from || !channel) {
      this.logger.log(
        { messageSid, status: rawStatus, messageId: query.messageId },
        'Twilio status callback without a Ponte message or a delivery state: ignored',
      );
      return 'ignored';
    }
    const errorCode = param(params, 'ErrorCode');
    const status: DeliveryStatus = {
      messageId: query.messageId,
      ...(query.conversationId ? { conversationId: query.conversationId } : {}),
      channel,
      channelAccountId: from,
      ...(messageSid ? { externalId: messageSid } : {}),
      state,
      occurredAt: new Date().toISOString(),
      ...(state === 'failed'
        ? {
            error: {
              code: errorCode ?? 'unknown',
              message: twilioErrorMessage(errorCode ?? '', param(params, 'ErrorMessage')),
              retryable: false,
            },
          }
        : {}),
    };
    const envelope = createEnvelope(Topics.deliveryStatus, status, {
      source: SMS_SOURCE,
      tenantId: query.tenantId ?? this.config.SMS_TENANT_ID,
    });
    await this.bus.publish(Topics.deliveryStatus, envelope, {
      key: messageKey(Topics.deliveryStatus, status),
    });
    this.logger.log({ messageId: status.messageId, messageSid, state, errorCode }, 'Twilio status published');
    return 'published';
  }
}
