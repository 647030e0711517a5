import { ConfigValidationError, loadConfig } from '@ponte/platform';
import { EmailIngestConfig } from './email-ingest.config';

const REQUIRED = { KAFKA_BROKERS: '127.0.0.1:9092', MONGO_URL: 'mongodb://127.0.0.1:27017/ponte' };

describe(EmailIngestConfig.name, () => {
  it('should boot with no mailbox when EMAIL_MAILBOXES is not set', () => {
    const sut = loadConfig(EmailIngestConfig, REQUIRED, 'email-ingest');

    expect(sut.mailboxes).toEqual([]);
    expect(sut.PORT).toBe(3004);
    expect(sut.EMAIL_IMAP_IDLE).toBe(true);
    expect(sut.EMAIL_OPS_TOKEN).toBeUndefined();
  });

  it('should fail at boot naming EMAIL_OPS_TOKEN when it is too short to be a secret', () => {
    const load = (): EmailIngestConfig =>
      loadConfig(EmailIngestConfig, { ...REQUIRED, EMAIL_OPS_TOKEN: 'secret' }, 'email-ingest');

    expect(load).toThrow(/EMAIL_OPS_TOKEN must be at least 16 characters/);
  });

  it('should read mailboxes with their defaults and find one by address whatever its case', () => {
    const sut = loadConfig(
      EmailIngestConfig,
      {
        ...REQUIRED,
        EMAIL_IMAP_IDLE: 'false',
        EMAIL_MAILBOXES: JSON.stringify([
          {
            id: 'suporte',
            address: 'Suporte@Acme.com.br',
            imap: { host: 'imap.acme.com.br', user: 'suporte', password: 'x' },
            smtp: { host: 'smtp.acme.com.br' },
          },
        ]),
      },
      'email-ingest',
    );

    expect(sut.EMAIL_IMAP_IDLE).toBe(false);
    expect(sut.mailboxes[0]).toMatchObject({
      imap: { port: 993, secure: true, folder: 'INBOX' },
      smtp: { port: 465, secure: true },
    });
    expect(sut.mailboxByAddress('suporte@acme.com.br ')?.id).toBe('suporte');
  });

  it('should fail at boot naming the problem when a mailbox is incomplete', () => {
    const load = (): EmailIngestConfig =>
      loadConfig(
        EmailIngestConfig,
        {
          ...REQUIRED,
          EMAIL_MAILBOXES: JSON.stringify([{ id: 'Bad Id', address: 'x', imap: { host: 'h' } }]),
        },
        'email-ingest',
      );

    expect(load).toThrow(ConfigValidationError);
    expect(load).toThrow(/EMAIL_MAILBOXES .*\[0\]\.id.*\[0\]\.address.*\[0\]\.imap\.user/s);
  });
});
