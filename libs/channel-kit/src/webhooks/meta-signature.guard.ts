import {
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  ForbiddenException,
  Logger,
  type ServiceUnavailableException,
} from '@nestjs/common';
import { type VerifiedMetaBody, verifyMetaWebhook } from './hub-signature';

interface WebhookRequest {
  url: string;
  headers: Record<string, string | string[] | undefined>;
  rawBody?: Buffer;
  verifiedMetaWebhook?: VerifiedMetaBody<object>;
}

/**
 * The guard of a Meta webhook route (WhatsApp Cloud API, Messenger, Instagram): lets a request through only when its
 * `X-Hub-Signature-256` is the HMAC-SHA256 of the raw body with the app secret (verifyMetaWebhook), so nothing is read
 * or stored before; the verified body goes to the handler through @MetaWebhookBody. A service extends it with
 * where its app secret comes from and what it answers while not configured.
 */
export abstract class MetaSignatureGuardBase implements CanActivate {
  private readonly logger = new Logger(this.constructor.name);

  /** The app secret, or undefined while the service is not configured (the request then gets `notConfigured()`). */
  protected abstract appSecret(): string | undefined;

  protected abstract notConfigured(): ServiceUnavailableException;

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<WebhookRequest>();
    const appSecret = this.appSecret();
    if (!appSecret) throw this.notConfigured();
    try {
      request.verifiedMetaWebhook = verifyMetaWebhook<object>(
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

/** The verified webhook (`VerifiedMetaBody<payload>`) of a route guarded by a MetaSignatureGuardBase. */
export const MetaWebhookBody = createParamDecorator((_: unknown, context: ExecutionContext) => {
  const webhook = context.switchToHttp().getRequest<WebhookRequest>().verifiedMetaWebhook;
  if (!webhook) throw new Error('MetaWebhookBody used on a route without a Meta signature guard');
  return webhook;
});
