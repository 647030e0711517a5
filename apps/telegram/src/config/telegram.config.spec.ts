import { ConfigValidationError, loadConfig } from '@ponte/platform';
import { TelegramConfig } from './telegram.config';

const baseEnv = { KAFKA_BROKERS: '127.0.0.1:9092', MONGO_URL: 'mongodb://127.0.0.1:27017/ponte' };
const TOKEN = '7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
const SECRET = 'a-random-secret-of-32-characters_';

function bots(...entries: Array<Record<string, unknown>>): string {
  return JSON.stringify(entries);
}

describe(TelegramConfig.name, () => {
  it('should boot with no bot, in webhook mode, on port 3005 when nothing is set', () => {
    const sut = loadConfig(TelegramConfig, baseEnv, 'telegram');

    expect(sut.configured).toBe(false);
    expect(sut.PORT).toBe(3005);
    expect(sut.TELEGRAM_UPDATES).toBe('webhook');
    expect(sut.TELEGRAM_API_ROOT).toBe('https://api.telegram.org');
  });

  it('should read the bots, with the default tenant for those that name none', () => {
    const sut = loadConfig(
      TelegramConfig,
      {
        ...baseEnv,
        TELEGRAM_TENANT_ID: 'acme',
        TELEGRAM_BOTS: bots(
          { id: 'support', token: TOKEN, webhookSecret: SECRET, groups: [-1001234567890] },
          {
            id: 'sales',
            token: '7098765432:AAFabcdefghijklmnopqrstuvwxyz01',
            webhookSecret: SECRET,
            tenantId: 'other',
          },
        ),
      },
      'telegram',
    );

    expect(sut.bots.map((bot) => [bot.id, sut.tenantOf(bot), bot.groups])).toEqual([
      ['support', 'acme', ['-1001234567890']],
      ['sales', 'other', undefined],
    ]);
  });

  it('should require a webhook secret in webhook mode only', () => {
    const env = { ...baseEnv, TELEGRAM_BOTS: bots({ id: 'support', token: TOKEN }) };

    const error = captureError(() => loadConfig(TelegramConfig, env, 'telegram'));

    expect(error).toBeInstanceOf(ConfigValidationError);
    expect(error.message).toMatch(/TELEGRAM_BOTS \[0\]\.webhookSecret is required in webhook mode/);
    expect(loadConfig(TelegramConfig, { ...env, TELEGRAM_UPDATES: 'polling' }, 'telegram').configured).toBe(
      true,
    );
  });

  it('should name every problem of the bots without quoting a token', () => {
    const error = captureError(() =>
      loadConfig(
        TelegramConfig,
        {
          ...baseEnv,
          TELEGRAM_BOTS: bots(
            { id: 'Support Bot', token: 'not-a-token', webhookSecret: 'short' },
            { id: 'sales', token: TOKEN, webhookSecret: 'has spaces and is long enough' },
            { id: 'sales', token: TOKEN, webhookSecret: SECRET, groups: ['everyone'] },
          ),
        },
        'telegram',
      ),
    );

    expect(error.message).toMatch(/\[0\]\.id: id must be \[a-z0-9_-\]/);
    expect(error.message).toMatch(/\[0\]\.token: token must be a bot token/);
    expect(error.message).toMatch(/\[0\]\.webhookSecret: webhookSecret must be at least 16 characters/);
    expect(error.message).toMatch(/\[1\]\.webhookSecret: webhookSecret may only contain/);
    expect(error.message).toMatch(/\[2\]\.groups: groups must list chat ids/);
    expect(error.message).toMatch(/duplicate bot ids: sales/);
    expect(error.message).toMatch(/configured twice\): 7012345678/);
    expect(error.message).not.toContain('AAHdqTcv');
  });

  it('should say TELEGRAM_BOTS is not JSON without quoting it', () => {
    const error = captureError(() =>
      loadConfig(TelegramConfig, { ...baseEnv, TELEGRAM_BOTS: `[{"token":"${TOKEN}"` }, 'telegram'),
    );

    expect(error.message).toMatch(/TELEGRAM_BOTS is not valid JSON/);
    expect(error.message).not.toContain('AAHdqTcv');
  });

  it('should reject an API root with a path', () => {
    const error = captureError(() =>
      loadConfig(
        TelegramConfig,
        { ...baseEnv, TELEGRAM_API_ROOT: 'https://api.telegram.org/bot' },
        'telegram',
      ),
    );

    expect(error.message).toMatch(/TELEGRAM_API_ROOT must be an http\(s\) origin/);
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
