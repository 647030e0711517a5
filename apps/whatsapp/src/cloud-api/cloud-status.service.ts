import { Injectable, Logger } from '@nestjs/common';
import { createEnvelope, type DeliveryStatus, messageKey, Topics } from '@ponte/contracts';
import { MessageBus } from '@ponte/messaging';
import { WhatsappConfig } from '../config/whatsapp.config';
import { WHATSAPP_SOURCE } from '../whatsapp.source';
import { SentMessageStore } from '../outbound/sent-message.store';
import { type CallbackReference, decodeCallbackData } from './cloud-callback-data';
import { cloudErrorMessage, deliveryStateOf, isCloudMessageStatus } from './cloud-status.mapper';
import type { VerifiedCloudWebhook } from './cloud-signature.guard';
import { type CloudStatusEvent, eventsOf, isoOfUnixSeconds } from './cloud-webhook.payload';

export type CloudStatusOutcome = 'published' | 'unattributed' | 'ignored';

/**
 * The `statuses` of a verified Cloud API webhook as DeliveryStatus events of our message ids. A status names only
 * the `wamid`: it is mapped back through the record the sender wrote, or else through the `biz_opaque_callback_data`
 * we sent; a status of a message this service did not send (the phone app, another integration) is not published.
 * Redelivered or out-of-order statuses are published as they come: the router only ever moves a status forward.
 */
@Injectable()
export class CloudStatusService {
  private readonly logger = new Logger(CloudStatusService.name);
  private readonly phoneNumberIds: ReadonlySet<string>;

  constructor(
    config: WhatsappConfig,
    private readonly bus: MessageBus,
    private readonly sentMessages: SentMessageStore,
  ) {
    this.phoneNumberIds = new Set(config.cloudPhoneNumberIds);
  }

  async receive(webhook: VerifiedCloudWebhook): Promise<CloudStatusOutcome[]> {
    const outcomes: CloudStatusOutcome[] = [];
    for (const event of eventsOf(webhook.payload).statuses) outcomes.push(await this.receiveOne(event));
    return outcomes;
  }

  private async receiveOne({ phoneNumberId, status }: CloudStatusEvent): Promise<CloudStatusOutcome> {
    const wamid = status.id;
    const state = isCloudMessageStatus(status.status) ? deliveryStateOf(status.status) : undefined;
    if (!state || !this.phoneNumberIds.has(phoneNumberId)) {
      this.logger.log({ wamid, status: status.status, phoneNumberId }, 'WhatsApp status ignored');
      return 'ignored';
    }
    const reference = await this.referenceOf(wamid, status.biz_opaque_callback_data);
    if (!reference) {
      this.logger.log(
        { wamid, status: status.status },
        'status of a WhatsApp message not sent by Ponte: ignored',
      );
      return 'unattributed';
    }
    const error = status.errors?.[0];
    const code = error?.code === undefined ? 'unknown' : String(error.code);
    const delivery: DeliveryStatus = {
      messageId: reference.messageId,
      conversationId: reference.conversationId,
      channel: 'whatsapp',
      channelAccountId: phoneNumberId,
      externalId: wamid,
      state,
      occurredAt: isoOfUnixSeconds(status.timestamp) ?? new Date().toISOString(),
      ...(state === 'failed'
        ? {
            error: {
              code,
              message: cloudErrorMessage(code, error?.error_data?.details ?? error?.message ?? error?.title),
              retryable: false,
            },
          }
        : {}),
    };
    const envelope = createEnvelope(Topics.deliveryStatus, delivery, {
      source: WHATSAPP_SOURCE,
      tenantId: reference.tenantId,
      // The same status redelivered is the same event.
      id: `whatsapp-cloud:${wamid}:${status.status}`,
    });
    await this.bus.publish(Topics.deliveryStatus, envelope, {
      key: messageKey(Topics.deliveryStatus, delivery),
    });
    this.logger.log(
      {
        messageId: delivery.messageId,
        conversationId: delivery.conversationId,
        wamid,
        state,
        code: error?.code,
      },
      'WhatsApp status published',
    );
    return 'published';
  }

  private async referenceOf(
    wamid: string,
    callbackData: string | undefined,
  ): Promise<CallbackReference | undefined> {
    const sent = await this.sentMessages.get(wamid);
    if (sent)
      return { messageId: sent.messageId, conversationId: sent.conversationId, tenantId: sent.tenantId };
    return decodeCallbackData(callbackData);
  }
}
