import {
  BadRequestException,
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
import { isValidHubSignature } from './hub-signature';

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
    const header = request.headers['x-hub-signature-256'];
    const signature = Array.isArray(header) ? header[0] : header;
    const rawBody = request.rawBody ?? Buffer.alloc(0);
    if (!isValidHubSignature(appSecret, rawBody, signature)) {
      this.logger.warn(
        { path: request.url, signed: signature !== undefined },
        'rejected a Meta webhook: bad signature',
      );
      throw new ForbiddenException('invalid X-Hub-Signature-256');
    }
    let payload: CloudWebhookPayload;
    try {
      payload = JSON.parse(rawBody.toString('utf8')) as CloudWebhookPayload;
    } catch {
      throw new BadRequestException('the webhook body is not JSON');
    }
    if (payload === null || typeof payload !== 'object')
      throw new BadRequestException('the webhook body is not an object');
    request.cloudWebhook = { payload, rawBody };
    return true;
  }
}

/** The verified webhook of a route guarded by CloudSignatureGuard. */
export const CloudWebhook = createParamDecorator((_: unknown, context: ExecutionContext) => {
  const webhook = context.switchToHttp().getRequest<WebhookRequest>().cloudWebhook;
  if (!webhook) throw new Error('CloudWebhook used on a route without CloudSignatureGuard');
  return webhook;
});
