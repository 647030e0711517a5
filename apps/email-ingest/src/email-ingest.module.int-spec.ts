import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createServiceApp, loadConfig } from '@ponte/platform';
import { testKafkaBrokers, testMongoUrl, uniqueName } from '@ponte/testing';
import { EmailIngestConfig } from './config/email-ingest.config';
import { emailIngestService } from './email-ingest.definition';
import { EmailIngestModule } from './email-ingest.module';
import { MailboxIngestSupervisor } from './ingest/mailbox-ingest.supervisor';

describe(EmailIngestModule.name, () => {
  let app: NestFastifyApplication | undefined;

  afterAll(async () => {
    await app?.close();
  });

  it('should be ready without any mailbox configured, as under npm start', async () => {
    const config = loadConfig(
      EmailIngestConfig,
      {
        KAFKA_BROKERS: testKafkaBrokers(),
        MONGO_URL: testMongoUrl(uniqueName('email-boot')),
        KAFKA_TOPIC_PREFIX: `${uniqueName('email-boot')}.`,
        LOG_LEVEL: 'warn',
        PORT: '0',
      },
      'email-ingest',
    );
    app = await createServiceApp(emailIngestService, config);
    const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');

    const ready = await fetch(`${url}/health/ready`);

    expect(ready.status).toBe(200);
    expect(app.get(MailboxIngestSupervisor).ingestors).toHaveLength(0);
  });
});
