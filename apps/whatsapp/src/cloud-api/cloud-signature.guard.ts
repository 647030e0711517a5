import { Injectable, ServiceUnavailableException } from '@nestjs/common';
import { MetaSignatureGuardBase, type VerifiedMetaBody } from '@ponte/channel-kit';
import { CLOUD_API_SETTINGS, WhatsappConfig } from '../config/whatsapp.config';
import type { CloudWebhookPayload } from './cloud-webhook.payload';

/** What a verified Cloud API webhook carries (the parsed payload and the body as received). */
export type VerifiedCloudWebhook = VerifiedMetaBody<CloudWebhookPayload>;

export function notConfigured(): ServiceUnavailableException {
  return new ServiceUnavailableException(
    `WhatsApp Cloud API is not configured: set ${CLOUD_API_SETTINGS.join(', ')}`,
  );
}

/** `X-Hub-Signature-256` of the Cloud API webhook, with WHATSAPP_CLOUD_APP_SECRET (see MetaSignatureGuardBase). */
@Injectable()
export class CloudSignatureGuard extends MetaSignatureGuardBase {
  constructor(private readonly config: WhatsappConfig) {
    super();
  }

  protected appSecret(): string | undefined {
    return this.config.cloudApiConfigured ? this.config.WHATSAPP_CLOUD_APP_SECRET : undefined;
  }

  protected notConfigured(): ServiceUnavailableException {
    return notConfigured();
  }
}
