import { Logger } from '@nestjs/common';
import { buildOutboundMessage, Topics } from '@ponte/contracts';
import { MessageBus, type MessagingOptions, TopicProvisioner } from '@ponte/messaging';
import { testKafkaBrokers, testMongoUrl, uniqueName, waitFor } from '@ponte/testing';
import mongoose, { type Connection } from 'mongoose';
import { AtMostOnceSender, type AtMostOnceSenderOptions, type PreparedSend } from './at-most-once.sender';
import { OutboundLedgerStore } from './outbound-ledger.store';
import { SendFailure } from './send-failure';

const OPTIONS: AtMostOnceSenderOptions = {
  source: '/ponte/test',
  providerName: 'TestProvider',
  interruptedSendMessage: 'interrupted',
  maxAttempts: 3,
  initialBackoffMs: 20,
  maxBackoffMs: 20,
};

/*
 * At most once across consumers, against the real FerretDB ledger and Kafka: a rebalance can hand a message to a
 * second consumer while the first still waits out its backoff after a refused attempt. Both find it `retrying`; only
 * one may call the provider again.
 */
describe(AtMostOnceSender.name, () => {
  let connection: Connection;
  let ledger: OutboundLedgerStore;
  let bus: MessageBus;

  beforeAll(async () => {
    connection = await mongoose.createConnection(testMongoUrl(uniqueName('sender'))).asPromise();
    ledger = new OutboundLedgerStore(connection, 'test_outbound_ledger');
    const messaging: MessagingOptions = {
      clientId: 'sender-spec',
      brokers: testKafkaBrokers().split(','),
      topicPrefix: `${uniqueName('sender')}.`,
      logLevel: 'nothing',
    };
    const provisioner = new TopicProvisioner(messaging);
    await provisioner.ensureTopics([Topics.deliveryStatus]);
    await provisioner.disconnect();
    bus = new MessageBus(messaging);
  });

  afterAll(async () => {
    await bus?.disconnect();
    await connection?.dropDatabase();
    await connection?.close();
  });

  it('should send a message resumed by two consumers once, when both find it retrying', async () => {
    const message = buildOutboundMessage({ channel: 'sms' });
    let calls = 0;
    const prepared = (): PreparedSend => ({
      record: { from: '+5511900000000', to: '+5511987654321' },
      send: async () => {
        calls += 1;
        if (calls === 1) throw new SendFailure('retryable', '20429', 'Too Many Requests', 429);
        return { externalId: `SM${calls}`, state: 'queued' };
      },
    });
    const first = new AtMostOnceSender(ledger, bus, new Logger('first'), {
      ...OPTIONS,
      initialBackoffMs: 1_500,
      maxBackoffMs: 1_500,
    });
    const second = new AtMostOnceSender(ledger, bus, new Logger('second'), OPTIONS);

    const firstOutcome = first.send('tenant-a', message, prepared);
    await waitFor(async () => (await ledger.get(message.messageId))?.state === 'retrying' || undefined, {
      description: "the first consumer's attempt refused",
    });
    const secondOutcome = await second.send('tenant-a', message, prepared);

    expect(secondOutcome).toBe('sent');
    await expect(firstOutcome).resolves.toBe('in-flight-elsewhere');
    expect(calls).toBe(2);
    expect(await ledger.get(message.messageId)).toMatchObject({
      state: 'sent',
      attempts: 2,
      externalId: 'SM2',
    });
  });
});
