import { buildEnvelope, Topics } from '@ponte/contracts';
import { MessageBus } from '@ponte/messaging';
import {
  type LocalInfra,
  ServiceProcess,
  startLocalInfra,
  testKafkaBrokers,
  testMongoUrl,
  uniqueName,
  waitFor,
} from '@ponte/testing';
import { MongoClient, type Collection } from 'mongodb';

const PROBE = 'libs/platform/src/testing/probe.service.ts';

interface Visit {
  _id: string;
  started: number;
  finished?: number;
}

describe('a Ponte service process', () => {
  const started: ServiceProcess[] = [];
  const start = async (env: Record<string, string>): Promise<ServiceProcess> => {
    const service = await ServiceProcess.start({ name: 'probe', entry: PROBE, env });
    started.push(service);
    return service;
  };

  afterEach(async () => {
    await Promise.all(started.splice(0).map((service) => service.stop()));
  });

  it('should exit with status 78 naming every missing variable when its config is invalid', async () => {
    const service = await start({ KAFKA_BROKERS: '', MONGO_URL: '', PROBE_HANDLER_DELAY_MS: 'soon' });

    expect(await service.whenExited()).toBe('exited with status 78');
    expect(service.output()).toContain('Invalid configuration of probe');
    expect(service.output()).toContain('KAFKA_BROKERS is required');
    expect(service.output()).toContain('MONGO_URL is required');
    expect(service.output()).toContain('PROBE_HANDLER_DELAY_MS must be an integer number');
  });

  describe('with Kafka and MongoDB', () => {
    const database = uniqueName('platform');
    const prefix = `${uniqueName('platform')}.`;
    const env = (): Record<string, string> => ({
      KAFKA_BROKERS: testKafkaBrokers(),
      MONGO_URL: testMongoUrl(database),
      KAFKA_TOPIC_PREFIX: prefix,
      PROBE_HANDLER_DELAY_MS: '1500',
    });
    let mongo: MongoClient;
    let visits: Collection<Visit>;
    let bus: MessageBus;

    beforeAll(async () => {
      mongo = await new MongoClient(testMongoUrl(database)).connect();
      visits = mongo.db().collection<Visit>('probe_visits');
      bus = new MessageBus({
        clientId: 'platform-spec',
        brokers: testKafkaBrokers().split(','),
        topicPrefix: prefix,
      });
    });

    afterAll(async () => {
      await bus.disconnect();
      await mongo.db().dropDatabase();
      await mongo.close();
    });

    it('should answer liveness and readiness with the state of Kafka and MongoDB', async () => {
      const service = await (await start(env())).ready();

      expect(await service.get('/health')).toEqual({
        status: 200,
        body: expect.objectContaining({ status: 'ok' }),
      });
      expect(await service.get('/health/ready')).toEqual({
        status: 200,
        body: expect.objectContaining({
          status: 'ok',
          info: {
            kafka: expect.objectContaining({ status: 'up' }),
            mongodb: { status: 'up' },
            probe: { status: 'up' },
          },
        }),
      });
    });

    it("should answer 503 on readiness, naming it, while a service's own readiness check is down", async () => {
      const service = await start({ ...env(), PROBE_READINESS: 'down' });
      const notReady = await waitFor(
        async () => {
          const answer = await service.get('/health/ready');
          return answer?.status === 503 ? answer : undefined;
        },
        { description: 'readiness to answer', timeoutMs: 30_000 },
      );

      expect(notReady.body).toEqual(
        expect.objectContaining({
          status: 'error',
          error: { probe: { status: 'down' } },
          info: expect.objectContaining({ mongodb: { status: 'up' } }),
        }),
      );
    });

    it('should refuse a request body over HTTP_BODY_LIMIT_BYTES with 413 and accept one under it', async () => {
      const service = await (await start({ ...env(), HTTP_BODY_LIMIT_BYTES: '2048' })).ready();
      const post = (text: string) =>
        fetch(`${service.url}/echo`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ text }),
        });

      const small = await post('x'.repeat(1_000));
      const large = await post('x'.repeat(4_000));

      expect([small.status, await small.json()]).toEqual([200, { bytes: 1_011 }]);
      expect(large.status).toBe(413);
    });

    it('should keep capability URLs and secret query values out of its request log', async () => {
      const service = await (await start({ ...env(), LOG_LEVEL: 'info' })).ready();

      await fetch(`${service.url}/media/top-secret-capability`);
      await fetch(`${service.url}/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=s3cret-token`);
      await waitFor(() => service.output().includes('hub.verify_token=[redacted]'), {
        description: 'the request log line',
      });

      expect(service.output()).toContain('/media/[redacted]');
      expect(service.output()).not.toContain('top-secret-capability');
      expect(service.output()).not.toContain('s3cret-token');
    });

    it('should finish and commit the message in hand on SIGTERM, exit 0, and not handle it again after a restart', async () => {
      const first = buildEnvelope(Topics.inboundMessage);
      const second = buildEnvelope(Topics.inboundMessage);
      const service = await (await start(env())).ready();

      await bus.publish(Topics.inboundMessage, first, { key: 'shutdown' });
      await waitFor(() => visits.findOne({ _id: first.id }), {
        description: 'the handler to start',
        timeoutMs: 30_000,
      });
      const exit = await service.signal('SIGTERM');
      const restarted = await (await start(env())).ready();
      await bus.publish(Topics.inboundMessage, second, { key: 'shutdown' });
      await waitFor(() => visits.findOne({ _id: second.id, finished: 1 }), {
        description: 'the restarted service to handle the next message',
        timeoutMs: 30_000,
      });

      expect(exit).toBe('exited with status 0');
      expect(await visits.findOne({ _id: first.id })).toEqual({ _id: first.id, started: 1, finished: 1 });
      expect(restarted.url).toBeDefined();
    });
  });

  describe('when Kafka goes away', () => {
    let kafka: LocalInfra;

    beforeAll(async () => {
      kafka = await startLocalInfra({ kafka: true, mongo: false, useEnv: false });
    });

    afterAll(async () => {
      await kafka.stop();
    });

    it('should stay live but answer 503 on readiness, naming Kafka', async () => {
      const service = await (
        await start({
          KAFKA_BROKERS: kafka.kafkaBrokers ?? '',
          MONGO_URL: testMongoUrl(uniqueName('platform')),
        })
      ).ready();

      await kafka.stop();

      const notReady = await waitFor(
        async () => {
          const answer = await service.get('/health/ready');
          return answer?.status === 503 ? answer : undefined;
        },
        { description: 'readiness to turn 503', timeoutMs: 30_000 },
      );
      expect(notReady.body).toEqual(
        expect.objectContaining({
          status: 'error',
          error: { kafka: expect.objectContaining({ status: 'down' }) },
          info: { mongodb: { status: 'up' }, probe: { status: 'up' } },
        }),
      );
      expect((await service.get('/health'))?.status).toBe(200);
    });
  });
});
