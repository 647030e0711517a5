import { networkSendFailure, type SendAccepted, SendFailure } from '@ponte/channel-kit';
import { type SendRequest, SmsProvider } from '../outbound/sms-provider.port';
import type twilio from 'twilio';
import { deliveryStateOf, isTwilioMessageStatus, twilioErrorMessage } from './twilio-status.mapper';

/** Sends through Twilio's Messages API (`POST /2010-04-01/Accounts/{AccountSid}/Messages.json`). */
export class TwilioProvider extends SmsProvider {
  constructor(private readonly client: twilio.Twilio) {
    super();
  }

  async send(request: SendRequest): Promise<SendAccepted> {
    let message: { sid: string; status: string };
    try {
      message = await this.client.messages.create({
        to: request.to,
        ...(request.from.startsWith('MG') ? { messagingServiceSid: request.from } : { from: request.from }),
        ...(request.body !== undefined ? { body: request.body } : {}),
        ...(request.mediaUrls && request.mediaUrls.length > 0 ? { mediaUrl: [...request.mediaUrls] } : {}),
        ...(request.statusCallbackUrl ? { statusCallback: request.statusCallbackUrl } : {}),
      });
    } catch (error) {
      throw classify(error);
    }
    return {
      externalId: message.sid,
      state: (isTwilioMessageStatus(message.status) && deliveryStateOf(message.status)) || 'queued',
    };
  }
}

interface TwilioHttpError {
  status?: unknown;
  code?: unknown;
  message?: unknown;
}

/** Twilio's REST errors carry the HTTP status and Twilio's code (`{"code": 21211, "message": …, "status": 400}`). */
export function classify(error: unknown): SendFailure {
  if (error instanceof SendFailure) return error;
  const { status, code, message } = (error ?? {}) as TwilioHttpError;
  if (typeof status === 'number') {
    const twilioCode = code === undefined || code === null ? `HTTP_${status}` : String(code);
    const text = twilioErrorMessage(twilioCode, typeof message === 'string' ? message : undefined);
    const kind = status === 429 || status >= 500 ? 'retryable' : 'permanent';
    return new SendFailure(kind, twilioCode, text, status);
  }
  const networkCode = typeof code === 'string' ? code : undefined;
  const description = error instanceof Error ? error.message : String(error);
  return networkSendFailure(networkCode, description, 'Twilio');
}
