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
import { validateRequest } from 'twilio';
import { SmsConfig } from '../config/sms.config';
import { parseWebhookParams, type TwilioWebhookParams } from './twilio-webhook.params';

/** What a verified Twilio webhook carries, attached to the request by the guard. */
export interface VerifiedTwilioWebhook {
  params: TwilioWebhookParams;
  /** The form body as received, kept as the raw payload of the message. */
  rawBody: string;
  /** `I-Twilio-Idempotency-Token`: the same for every retry of one webhook. */
  idempotencyToken?: string;
}

type WebhookRequest = FastifyRequest & { rawBody?: Buffer; twilioWebhook?: VerifiedTwilioWebhook };

/**
 * Lets a request through only when its `X-Twilio-Signature` is Twilio's HMAC of the configured public URL (plus the
 * query string as received) and the form parameters, checked by the twilio library. The URL is never rebuilt from
 * the Host or X-Forwarded-* headers, which whoever sends the request controls.
 */
@Injectable()
export class TwilioSignatureGuard implements CanActivate {
  private readonly logger = new Logger(TwilioSignatureGuard.name);

  constructor(private readonly config: SmsConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<WebhookRequest>();
    const { TWILIO_AUTH_TOKEN: authToken, SMS_PUBLIC_BASE_URL: baseUrl } = this.config;
    if (!this.config.twilioConfigured || !authToken || !baseUrl) {
      throw new ServiceUnavailableException(
        'Twilio is not configured: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and SMS_PUBLIC_BASE_URL',
      );
    }
    const signature = header(request, 'x-twilio-signature');
    const rawBody = request.rawBody?.toString('utf8') ?? '';
    const params = parseWebhookParams(rawBody);
    const url = `${baseUrl}${request.url}`;
    if (!signature || !validateRequest(authToken, signature, url, params as Record<string, unknown>)) {
      this.logger.warn(
        { path: request.url, signed: signature !== undefined },
        'rejected a Twilio webhook: bad signature',
      );
      throw new ForbiddenException('invalid Twilio signature');
    }
    const idempotencyToken = header(request, 'i-twilio-idempotency-token');
    request.twilioWebhook = { params, rawBody, ...(idempotencyToken ? { idempotencyToken } : {}) };
    return true;
  }
}

/** The verified webhook of a route guarded by TwilioSignatureGuard. */
export const TwilioWebhook = createParamDecorator((_: unknown, context: ExecutionContext) => {
  const webhook = context.switchToHttp().getRequest<WebhookRequest>().twilioWebhook;
  if (!webhook) throw new Error('TwilioWebhook used on a route without TwilioSignatureGuard');
  return webhook;
});

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? undefined : first;
}
