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

describe('WhatsApp Web settings', () => {
  it('should configure no session, hence launch no browser, by default', () => {
    const sut = loadConfig(WhatsappConfig, baseEnv, 'whatsapp');

    expect(sut.webSessions).toEqual([]);
    expect(sut.WHATSAPP_WEB_AUTH).toBe('local');
    expect(sut.WHATSAPP_WEB_CHROMIUM_PATH).toBe('/usr/bin/chromium');
  });

  it('should list the sessions with the groups each publishes', () => {
    const sut = loadConfig(
      WhatsappConfig,
      {
        ...baseEnv,
        WHATSAPP_WEB_SESSIONS: 'suporte, 5511999990000',
        WHATSAPP_WEB_GROUPS:
          'suporte=120363025555555555@g.us, suporte=5511999990000-1600000000@g.us,5511999990000=*',
        WHATSAPP_WEB_CHROMIUM_ARGS: '--no-sandbox  --disable-dev-shm-usage',
      },
      'whatsapp',
    );

    expect(sut.webSessions).toEqual([
      { id: 'suporte', groups: new Set(['120363025555555555@g.us', '5511999990000-1600000000@g.us']) },
      { id: '5511999990000', groups: 'all' },
    ]);
    expect(sut.webChromiumArgs).toEqual(['--no-sandbox', '--disable-dev-shm-usage']);
  });

  it('should name what is wrong with the sessions, their groups and the auth strategy', () => {
    const error = captureError(() =>
      loadConfig(
        WhatsappConfig,
        {
          ...baseEnv,
          WHATSAPP_WEB_SESSIONS: 'suporte,suporte',
          WHATSAPP_WEB_GROUPS: 'vendas=120363025555555555@g.us',
          WHATSAPP_WEB_AUTH: 'cloud',
          WHATSAPP_WEB_REMOTE_BACKUP_INTERVAL_MS: '1000',
        },
        'whatsapp',
      ),
    );

    expect(error.message).toMatch(/WHATSAPP_WEB_SESSIONS lists a session twice/);
    expect(error.message).toMatch(/WHATSAPP_WEB_GROUPS names a session that is not in WHATSAPP_WEB_SESSIONS/);
    expect(error.message).toMatch(/WHATSAPP_WEB_AUTH/);
    expect(error.message).toMatch(/WHATSAPP_WEB_REMOTE_BACKUP_INTERVAL_MS/);
  });

  it('should refuse a session id LocalAuth could not use as a directory name', () => {
    const error = captureError(() =>
      loadConfig(WhatsappConfig, { ...baseEnv, WHATSAPP_WEB_SESSIONS: '../suporte' }, 'whatsapp'),
    );

    expect(error.message).toMatch(/WHATSAPP_WEB_SESSIONS must be a comma-separated list of session ids/);
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
