import {
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  ForbiddenException,
  Injectable,
  Logger,
  ServiceUnavailableException,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { SocialConfig } from '../config/social.config';
import { verifyMetaWebhook } from '@ponte/channel-kit';
import type { MetaWebhookPayload } from './meta-webhook.payload';

/** What a verified Meta webhook carries, attached to the request by the guard. */
export interface VerifiedMetaWebhook {
  payload: MetaWebhookPayload;
  /** The body as received, kept as the raw payload of its messages. */
  rawBody: Buffer;
}

type WebhookRequest = FastifyRequest & { rawBody?: Buffer; metaWebhook?: VerifiedMetaWebhook };

export function notConfigured(): ServiceUnavailableException {
  return new ServiceUnavailableException(
    'Messenger and Instagram are not configured: set META_APP_SECRET, META_VERIFY_TOKEN and META_PAGES or META_INSTAGRAM_ACCOUNTS',
  );
}

/**
 * Lets a request through only when its `X-Hub-Signature-256` is the HMAC-SHA256 of the raw body (the bytes as
 * received, not a re-serialization of the parsed JSON) with the app secret, compared in constant time. Nothing is read
 * or stored before. The body is parsed from those same bytes.
 */
@Injectable()
export class MetaSignatureGuard implements CanActivate {
  private readonly logger = new Logger(MetaSignatureGuard.name);

  constructor(private readonly config: SocialConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<WebhookRequest>();
    const appSecret = this.config.META_APP_SECRET;
    if (!this.config.configured || !appSecret) throw notConfigured();
    try {
      request.metaWebhook = verifyMetaWebhook<MetaWebhookPayload>(
        appSecret,
        request.rawBody,
        request.headers['x-hub-signature-256'],
      );
    } catch (error) {
      if (error instanceof ForbiddenException)
        this.logger.warn({ path: request.url }, 'rejected a Meta webhook: bad signature');
      throw error;
    }
    return true;
  }
}

/** The verified webhook of a route guarded by MetaSignatureGuard. */
export const MetaWebhook = createParamDecorator((_: unknown, context: ExecutionContext) => {
  const webhook = context.switchToHttp().getRequest<WebhookRequest>().metaWebhook;
  if (!webhook) throw new Error('MetaWebhook used on a route without MetaSignatureGuard');
  return webhook;
});
