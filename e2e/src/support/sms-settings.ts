import type { FakeTwilioServer, TwilioAccount } from '@ponte/testing';

/** The sms service's Twilio settings for a test: `account`'s credentials and public URL, sending to the fake `api`. */
export function smsTwilioSettings(account: TwilioAccount, api: FakeTwilioServer): Record<string, string> {
  return {
    TWILIO_ACCOUNT_SID: account.accountSid,
    TWILIO_AUTH_TOKEN: account.authToken,
    SMS_PUBLIC_BASE_URL: account.publicBaseUrl,
    TWILIO_API_BASE_URL: api.url,
    SMS_MEDIA_ALLOWED_ORIGINS: api.url,
    SMS_SENDER_MESSAGES_PER_SECOND: '50',
    SMS_SEND_INITIAL_BACKOFF_MS: '50',
    SMS_SEND_MAX_BACKOFF_MS: '200',
  };
}
