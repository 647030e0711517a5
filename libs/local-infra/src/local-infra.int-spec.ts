import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { MongoClient } from 'mongodb';
import { kafkaAnswers } from './kafka.server';
import { startLocalInfra, type LocalInfra } from './local-infra';
import { LocalInfraError } from './local-infra.error';
import { canConnect, freePort, isPortFree } from './ports';

function portOf(address: string): number {
  const match = /127\.0\.0\.1:(\d+)/.exec(address);
  if (!match?.[1]) throw new Error(`no port in ${address}`);
  return Number(match[1]);
}

describe(startLocalInfra.name, () => {
  describe('when it starts its own servers', () => {
    let sut: LocalInfra | undefined;

    afterEach(async () => {
      await sut?.stop();
    });

    it('should serve Kafka and FerretDB until stop() frees the ports and removes the data', async () => {
      sut = await startLocalInfra({ useEnv: false });

      const kafkaPort = portOf(sut.kafkaBrokers ?? '');
      const mongoPort = portOf(sut.mongoUrl ?? '');
      expect(sut.mongoUrl).toBe(`mongodb://127.0.0.1:${mongoPort}/ponte`);
      expect(await kafkaAnswers(kafkaPort)).toBe(true);
      const client = await new MongoClient(sut.mongoUrl ?? '', { serverSelectionTimeoutMS: 5_000 }).connect();
      try {
        await client
          .db()
          .collection('probe')
          .insertOne({ _id: 'p-1' as never, text: 'olá' });
        expect(
          await client
            .db()
            .collection('probe')
            .findOne({ _id: 'p-1' as never }),
        ).toEqual({
          _id: 'p-1',
          text: 'olá',
        });
      } finally {
        await client.close();
      }
      const dataDir = sut.dataDir ?? '';
      expect(existsSync(dataDir)).toBe(true);

      await sut.stop();

      expect(await canConnect(kafkaPort)).toBe(false);
      expect(await canConnect(mongoPort)).toBe(false);
      expect(await isPortFree(kafkaPort)).toBe(true);
      expect(await isPortFree(mongoPort)).toBe(true);
      expect(existsSync(dataDir)).toBe(false);
    });

    it('should refuse a port that is already in use, naming it', async () => {
      const port = await freePort();
      const busy: Server = createServer();
      await new Promise<void>((resolve) => busy.listen(port, '127.0.0.1', resolve));
      try {
        const started = startLocalInfra({ useEnv: false, kafka: false, ports: { mongo: port } });

        await expect(started).rejects.toThrow(LocalInfraError);
        await expect(started).rejects.toThrow(
          `Cannot start FerretDB on 127.0.0.1:${port}: the port is already in use`,
        );
      } finally {
        busy.close();
      }
    });
  });

  describe('when KAFKA_BROKERS and MONGO_URL are set', () => {
    const saved = { KAFKA_BROKERS: process.env['KAFKA_BROKERS'], MONGO_URL: process.env['MONGO_URL'] };

    afterEach(() => {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    });

    it('should use them and start nothing', async () => {
      process.env['KAFKA_BROKERS'] = 'kafka.example:9092';
      process.env['MONGO_URL'] = 'mongodb://mongo.example:27017/ponte?replicaSet=rs0';

      const sut = await startLocalInfra();

      expect(sut).toMatchObject({
        kafkaBrokers: 'kafka.example:9092',
        mongoUrl: 'mongodb://mongo.example:27017/ponte?replicaSet=rs0',
        dataDir: undefined,
      });
      await sut.stop();
    });

    it('should leave out the server that was not asked for', async () => {
      process.env['KAFKA_BROKERS'] = 'kafka.example:9092';
      process.env['MONGO_URL'] = 'mongodb://mongo.example:27017/ponte';

      const sut = await startLocalInfra({ mongo: false });

      expect(sut.kafkaBrokers).toBe('kafka.example:9092');
      expect(sut.mongoUrl).toBeUndefined();
    });
  });
});
