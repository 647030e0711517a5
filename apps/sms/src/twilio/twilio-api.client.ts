import twilio, { RequestClient } from 'twilio';
import type TwilioRequestClient from 'twilio/lib/base/RequestClient';
import type TwilioResponse from 'twilio/lib/http/response';

/** Twilio's own API origin, which the library hard-codes in its request URIs. */
const TWILIO_API_ORIGIN = 'https://api.twilio.com';

/**
 * The library's HTTP client with the API origin replaced, so the real client code (request building, form
 * encoding, error parsing) runs against another server speaking Twilio's REST API — a local one in tests.
 */
class BaseUrlRequestClient extends RequestClient {
  constructor(
    private readonly apiBaseUrl: string,
    options: TwilioRequestClient.RequestClientOptions,
  ) {
    super(options);
  }

  override request<TData>(
    options: TwilioRequestClient.RequestOptions<TData>,
  ): Promise<TwilioResponse<TData>> {
    const uri = options.uri.startsWith(TWILIO_API_ORIGIN)
      ? `${this.apiBaseUrl}${options.uri.slice(TWILIO_API_ORIGIN.length)}`
      : options.uri;
    return super.request<TData>({ ...options, uri });
  }
}

export interface TwilioApiOptions {
  accountSid: string;
  authToken: string;
  apiBaseUrl: string;
  timeoutMs: number;
}

/** A twilio client whose 429 handling is ours (autoRetry off): the sender decides what may be retried. */
export function createTwilioClient(options: TwilioApiOptions): twilio.Twilio {
  const httpOptions = { timeout: options.timeoutMs, autoRetry: false };
  const httpClient =
    new URL(options.apiBaseUrl).origin === TWILIO_API_ORIGIN
      ? new RequestClient(httpOptions)
      : new BaseUrlRequestClient(new URL(options.apiBaseUrl).origin, httpOptions);
  return twilio(options.accountSid, options.authToken, { httpClient, autoRetry: false });
}
