import { ConfigValidationError, loadConfig } from '@ponte/platform';
import { SmsConfig } from './sms.config';

const baseEnv = { KAFKA_BROKERS: '127.0.0.1:9092', MONGO_URL: 'mongodb://127.0.0.1:27017/ponte' };
const twilioEnv = {
  TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`,
  TWILIO_AUTH_TOKEN: 'secret',
  SMS_PUBLIC_BASE_URL: 'https://ponte.example.com/sms',
};

describe(SmsConfig.name, () => {
  it('should boot with Twilio switched off when no Twilio setting is given', () => {
    const sut = loadConfig(SmsConfig, baseEnv, 'sms');

    expect(sut.twilioConfigured).toBe(false);
    expect(sut.PORT).toBe(3002);
    expect(sut.mediaAllowedOrigins).toEqual(['https://api.twilio.com', 'https://mms.twiliocdn.com']);
    expect(sut.SMS_SENDER_MESSAGES_PER_SECOND).toBe(1);
  });

  it('should switch Twilio on when the three settings are given', () => {
    const sut = loadConfig(SmsConfig, { ...baseEnv, ...twilioEnv }, 'sms');

    expect(sut.twilioConfigured).toBe(true);
  });

  it('should name the missing settings when only some Twilio settings are given', () => {
    const error = captureError(() =>
      loadConfig(SmsConfig, { ...baseEnv, TWILIO_ACCOUNT_SID: twilioEnv.TWILIO_ACCOUNT_SID }, 'sms'),
    );

    expect(error).toBeInstanceOf(ConfigValidationError);
    expect(error.message).toMatch(/TWILIO_AUTH_TOKEN is required/);
    expect(error.message).toMatch(/SMS_PUBLIC_BASE_URL is required/);
  });

  it('should reject a public URL with a trailing slash and a malformed account SID', () => {
    const error = captureError(() =>
      loadConfig(
        SmsConfig,
        {
          ...baseEnv,
          ...twilioEnv,
          SMS_PUBLIC_BASE_URL: 'https://ponte.example.com/',
          TWILIO_ACCOUNT_SID: 'AC123',
        },
        'sms',
      ),
    );

    expect(error.message).toMatch(/SMS_PUBLIC_BASE_URL must be an absolute http\(s\) URL/);
    expect(error.message).toMatch(/TWILIO_ACCOUNT_SID must be a Twilio Account SID/);
  });

  it('should sign media URLs with the auth token for an hour when no media URL setting is given', () => {
    const sut = loadConfig(SmsConfig, { ...baseEnv, ...twilioEnv }, 'sms');

    expect(sut.mediaUrlSecret).toBe(twilioEnv.TWILIO_AUTH_TOKEN);
    expect(sut.SMS_MEDIA_URL_TTL_SECONDS).toBe(3600);
  });

  it('should sign media URLs with SMS_MEDIA_URL_SECRET when it is set', () => {
    const secret = 'x'.repeat(32);

    const sut = loadConfig(SmsConfig, { ...baseEnv, ...twilioEnv, SMS_MEDIA_URL_SECRET: secret }, 'sms');

    expect(sut.mediaUrlSecret).toBe(secret);
  });

  it('should reject a short SMS_MEDIA_URL_SECRET and a TTL under a minute', () => {
    const error = captureError(() =>
      loadConfig(
        SmsConfig,
        { ...baseEnv, ...twilioEnv, SMS_MEDIA_URL_SECRET: 'short', SMS_MEDIA_URL_TTL_SECONDS: '5' },
        'sms',
      ),
    );

    expect(error.message).toMatch(/SMS_MEDIA_URL_SECRET must be at least 32 characters/);
    expect(error.message).toMatch(/SMS_MEDIA_URL_TTL_SECONDS must not be less than 60/);
  });

  it('should reject a media origin list with paths when SMS_MEDIA_ALLOWED_ORIGINS is malformed', () => {
    const error = captureError(() =>
      loadConfig(SmsConfig, { ...baseEnv, SMS_MEDIA_ALLOWED_ORIGINS: 'https://api.twilio.com/media' }, 'sms'),
    );

    expect(error.message).toMatch(
      /SMS_MEDIA_ALLOWED_ORIGINS must be a comma-separated list of http\(s\) origins/,
    );
  });
});

function captureError(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}
