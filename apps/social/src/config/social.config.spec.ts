import { ConfigValidationError, loadConfig } from '@ponte/platform';
import { SocialConfig } from './social.config';

const baseEnv = { KAFKA_BROKERS: '127.0.0.1:9092', MONGO_URL: 'mongodb://127.0.0.1:27017/ponte' };
const PAGE_TOKEN = 'EAAGm0PX4ZCpsBAExampleTokenThatIsLong';

describe(SocialConfig.name, () => {
  it('should boot unconfigured on port 3006 when nothing is set', () => {
    const sut = loadConfig(SocialConfig, baseEnv, 'social');

    expect(sut.configured).toBe(false);
    expect(sut.PORT).toBe(3006);
    expect(sut.META_GRAPH_BASE_URL).toBe('https://graph.facebook.com');
    expect(sut.META_GRAPH_API_VERSION).toBe('v23.0');
  });

  it('should read pages and Instagram accounts, with the default tenant for those that name none', () => {
    const sut = loadConfig(
      SocialConfig,
      {
        ...baseEnv,
        SOCIAL_TENANT_ID: 'acme',
        META_APP_SECRET: '0123456789abcdef0123456789abcdef',
        META_VERIFY_TOKEN: 'verify-token',
        META_PAGES: JSON.stringify([{ id: '104857600123456', accessToken: PAGE_TOKEN }]),
        META_INSTAGRAM_ACCOUNTS: JSON.stringify([
          { id: '17841400123456789', accessToken: 'IGAAexample', tenantId: 'other' },
        ]),
      },
      'social',
    );

    expect(sut.configured).toBe(true);
    expect(sut.accounts.map((account) => [account.channel, account.id, sut.tenantOf(account)])).toEqual([
      ['messenger', '104857600123456', 'acme'],
      ['instagram', '17841400123456789', 'other'],
    ]);
    expect(sut.account('messenger', '17841400123456789')).toBeUndefined();
  });

  it('should name every problem of the accounts without quoting a token', () => {
    const error = captureError(() =>
      loadConfig(
        SocialConfig,
        {
          ...baseEnv,
          META_PAGES: JSON.stringify([
            { id: 'my page/1', accessToken: PAGE_TOKEN },
            { id: '1', accessToken: '' },
            { id: '1', accessToken: PAGE_TOKEN },
          ]),
        },
        'social',
      ),
    );

    expect(error).toBeInstanceOf(ConfigValidationError);
    expect(error.message).toMatch(/META_PAGES .*\[0\]\.id: id must be the page or Instagram account id/);
    expect(error.message).toMatch(/\[1\]\.accessToken: accessToken is required/);
    expect(error.message).toMatch(/duplicate account ids: 1/);
    expect(error.message).not.toContain(PAGE_TOKEN);
  });

  it('should say the accounts are not JSON without quoting them', () => {
    const error = captureError(() =>
      loadConfig(
        SocialConfig,
        { ...baseEnv, META_INSTAGRAM_ACCOUNTS: `[{"accessToken":"${PAGE_TOKEN}"` },
        'social',
      ),
    );

    expect(error.message).toMatch(/META_INSTAGRAM_ACCOUNTS is not valid JSON/);
    expect(error.message).not.toContain(PAGE_TOKEN);
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
