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
import { CLOUD_API_SETTINGS, WhatsappConfig } from '../config/whatsapp.config';
import type { CloudWebhookPayload } from './cloud-webhook.payload';
import { verifyMetaWebhook } from '@ponte/channel-kit';

/** What a verified Cloud API webhook carries, attached to the request by the guard. */
export interface VerifiedCloudWebhook {
  payload: CloudWebhookPayload;
  /** The body as received, kept as the raw payload of its messages. */
  rawBody: Buffer;
}

type WebhookRequest = FastifyRequest & { rawBody?: Buffer; cloudWebhook?: VerifiedCloudWebhook };

export function notConfigured(): ServiceUnavailableException {
  return new ServiceUnavailableException(
    `WhatsApp Cloud API is not configured: set ${CLOUD_API_SETTINGS.join(', ')}`,
  );
}

/**
 * Lets a request through only when its `X-Hub-Signature-256` is the HMAC-SHA256 of the raw body (the bytes as
 * received, not a re-serialization of the parsed JSON) with the app secret. The body is parsed from those same bytes.
 */
@Injectable()
export class CloudSignatureGuard implements CanActivate {
  private readonly logger = new Logger(CloudSignatureGuard.name);

  constructor(private readonly config: WhatsappConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<WebhookRequest>();
    const appSecret = this.config.WHATSAPP_CLOUD_APP_SECRET;
    if (!this.config.cloudApiConfigured || !appSecret) throw notConfigured();
    try {
      request.cloudWebhook = verifyMetaWebhook<CloudWebhookPayload>(
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

/** The verified webhook of a route guarded by CloudSignatureGuard. */
export const CloudWebhook = createParamDecorator((_: unknown, context: ExecutionContext) => {
  const webhook = context.switchToHttp().getRequest<WebhookRequest>().cloudWebhook;
  if (!webhook) throw new Error('CloudWebhook used on a route without CloudSignatureGuard');
  return webhook;
});
