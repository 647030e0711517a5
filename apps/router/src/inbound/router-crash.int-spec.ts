import { buildInboundMessage, createEnvelope, messageKey, Topics } from '@ponte/contracts';
import { MessageBus } from '@ponte/messaging';
import { ServiceProcess, testKafkaBrokers, testMongoUrl, uniqueName, waitFor } from '@ponte/testing';
import { MongoClient } from 'mongodb';
import { TENANT, TEST_SEED_FILE } from '../testing/router.harness';

const MESSAGES = 300;
const CUSTOMERS = 30;

describe('router: killed mid-batch', () => {
  const database = uniqueName('router-crash');
  const prefix = `${uniqueName('router-crash')}.`;
  const env = {
    KAFKA_BROKERS: testKafkaBrokers(),
    MONGO_URL: testMongoUrl(database),
    KAFKA_TOPIC_PREFIX: prefix,
    ROUTER_SEED_FILE: TEST_SEED_FILE,
    ROUTER_SEED_TENANT: TENANT,
  };
  let mongo: MongoClient;
  let bus: MessageBus;
  const routers: ServiceProcess[] = [];

  beforeAll(async () => {
    mongo = await new MongoClient(env.MONGO_URL).connect();
    bus = new MessageBus({
      clientId: 'router-crash-spec',
      brokers: env.KAFKA_BROKERS.split(','),
      topicPrefix: prefix,
    });
  });

  afterAll(async () => {
    await Promise.all(routers.map((router) => router.stop()));
    await bus.disconnect();
    await mongo.db().dropDatabase();
    await mongo.close();
  });

  it('should store every message exactly once after a SIGKILL in the middle of the stream and a restart', async () => {
    const first = await ServiceProcess.start({ name: 'router', entry: 'apps/router/src/main.ts', env });
    routers.push(first);
    await first.ready();
    const messages = mongo.db().collection('messages');
    const envelopes = Array.from({ length: MESSAGES }, (_, index) => {
      const data = buildInboundMessage({
        channel: 'sms',
        externalId: `SM-crash-${index}`,
        from: { address: `+55119${String(80_000_000 + (index % CUSTOMERS)).padStart(8, '0')}` },
        content: { text: `mensagem ${index}` },
        receivedAt: new Date(Date.now() + index).toISOString(),
      });
      return createEnvelope(Topics.inboundMessage, data, { source: '/ponte/test', tenantId: TENANT });
    });

    await bus.publishBatch(
      envelopes.map((envelope) => ({
        topic: Topics.inboundMessage,
        envelope,
        key: messageKey(Topics.inboundMessage, envelope.data),
      })),
    );
    await waitFor(async () => (await messages.countDocuments()) >= MESSAGES / 10, {
      description: 'the router to be part-way through',
      timeoutMs: 60_000,
      intervalMs: 5,
    });
    const storedAtCrash = await messages.countDocuments();
    await first.crash();
    const second = await ServiceProcess.start({ name: 'router', entry: 'apps/router/src/main.ts', env });
    routers.push(second);
    await second.ready();
    await waitFor(
      async () => {
        const count = await messages.countDocuments();
        return count >= MESSAGES;
      },
      { description: 'every message after the restart', timeoutMs: 90_000, intervalMs: 2_000 },
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}\nrouter output:\n${second.output()}`);
    });

    expect(storedAtCrash).toBeLessThan(MESSAGES);
    expect(await messages.countDocuments()).toBe(MESSAGES);
    expect((await messages.distinct('externalId')).length).toBe(MESSAGES);
    expect(await mongo.db().collection('conversations').countDocuments()).toBe(CUSTOMERS);
    expect(await mongo.db().collection('customers').countDocuments()).toBe(CUSTOMERS);
  }, 240_000);
});
