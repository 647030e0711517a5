import { Injectable, ServiceUnavailableException } from '@nestjs/common';
import { MetaSignatureGuardBase, type VerifiedMetaBody } from '@ponte/channel-kit';
import { SocialConfig } from '../config/social.config';
import type { MetaWebhookPayload } from './meta-webhook.payload';

/** What a verified Meta webhook carries (the parsed payload and the body as received). */
export type VerifiedMetaWebhook = VerifiedMetaBody<MetaWebhookPayload>;

export function notConfigured(): ServiceUnavailableException {
  return new ServiceUnavailableException(
    'Messenger and Instagram are not configured: set META_APP_SECRET, META_VERIFY_TOKEN and META_PAGES or META_INSTAGRAM_ACCOUNTS',
  );
}

/** `X-Hub-Signature-256` of the Messenger and Instagram webhooks, with META_APP_SECRET (see MetaSignatureGuardBase). */
@Injectable()
export class MetaSignatureGuard extends MetaSignatureGuardBase {
  constructor(private readonly config: SocialConfig) {
    super();
  }

  protected appSecret(): string | undefined {
    return this.config.configured ? this.config.META_APP_SECRET : undefined;
  }

  protected notConfigured(): ServiceUnavailableException {
    return notConfigured();
  }
}
