import { ConfigValidationError, loadConfig } from '@ponte/platform';
import { WhatsappConfig } from './whatsapp.config';

const baseEnv = { KAFKA_BROKERS: '127.0.0.1:9092', MONGO_URL: 'mongodb://127.0.0.1:27017/ponte' };
const cloudEnv = {
  WHATSAPP_CLOUD_APP_SECRET: 'app-secret',
  WHATSAPP_CLOUD_ACCESS_TOKEN: 'EAAG-token',
  WHATSAPP_CLOUD_VERIFY_TOKEN: 'verify-me',
  WHATSAPP_CLOUD_PHONE_NUMBER_IDS: '106540352242922, 106540352242923',
};

describe(WhatsappConfig.name, () => {
  it('should boot with the Cloud API switched off when no Cloud API setting is given', () => {
    const sut = loadConfig(WhatsappConfig, baseEnv, 'whatsapp');

    expect(sut.cloudApiConfigured).toBe(false);
    expect(sut.PORT).toBe(3003);
    expect(sut.WHATSAPP_CLOUD_GRAPH_BASE_URL).toBe('https://graph.facebook.com');
    expect(sut.cloudMediaAllowedOrigins).toEqual([
      'https://graph.facebook.com',
      'https://lookaside.fbsbx.com',
    ]);
  });

  it('should switch the Cloud API on and list the phone number ids when the four settings are given', () => {
    const sut = loadConfig(WhatsappConfig, { ...baseEnv, ...cloudEnv }, 'whatsapp');

    expect(sut.cloudApiConfigured).toBe(true);
    expect(sut.cloudPhoneNumberIds).toEqual(['106540352242922', '106540352242923']);
  });

  it('should name the missing settings when only some Cloud API settings are given', () => {
    const error = captureError(() =>
      loadConfig(WhatsappConfig, { ...baseEnv, WHATSAPP_CLOUD_APP_SECRET: 'app-secret' }, 'whatsapp'),
    );

    expect(error).toBeInstanceOf(ConfigValidationError);
    expect(error.message).toMatch(/WHATSAPP_CLOUD_ACCESS_TOKEN is required/);
    expect(error.message).toMatch(/WHATSAPP_CLOUD_VERIFY_TOKEN is required/);
    expect(error.message).toMatch(/WHATSAPP_CLOUD_PHONE_NUMBER_IDS is required/);
  });

  it('should reject phone numbers given instead of phone number ids and a Graph URL with a path', () => {
    const error = captureError(() =>
      loadConfig(
        WhatsappConfig,
        {
          ...baseEnv,
          ...cloudEnv,
          WHATSAPP_CLOUD_PHONE_NUMBER_IDS: '+55 11 99999-0000',
          WHATSAPP_CLOUD_GRAPH_BASE_URL: 'https://graph.facebook.com/v23.0',
        },
        'whatsapp',
      ),
    );

    expect(error.message).toMatch(
      /WHATSAPP_CLOUD_PHONE_NUMBER_IDS must be a comma-separated list of phone number ids/,
    );
    expect(error.message).toMatch(/WHATSAPP_CLOUD_GRAPH_BASE_URL must be an http\(s\) origin/);
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
