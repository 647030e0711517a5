import { Topics, type TopicName } from '@ponte/contracts';
import { RawKafka, TEST_TOPIC, testBrokers, testMessagingOptions } from '../testing/messaging-test.harness';
import { TopicProvisioner } from './topic-provisioner.service';

const brokers = testBrokers();

describe(TopicProvisioner.name, () => {
  it('should create the topic and its DLQ with the configured partitions, once, even when two instances race', async () => {
    const options = testMessagingOptions(brokers, { topics: { partitions: 4, replicationFactor: 1 } });
    const [first, second] = [new TopicProvisioner(options), new TopicProvisioner(options)];

    try {
      await Promise.all([first.ensureTopics([TEST_TOPIC]), second.ensureTopics([TEST_TOPIC])]);
      const createdAgain = await first.ensureTopics([TEST_TOPIC]);

      expect(createdAgain).toEqual([]);
      const topics = await new RawKafka(options).describeTopics([TEST_TOPIC, `${TEST_TOPIC}.dlq`]);
      expect(topics.map(({ partitions }) => partitions)).toEqual([4, 4]);
    } finally {
      await Promise.all([first.disconnect(), second.disconnect()]);
    }
  });

  it('should leave every topic led when five services provision the same fresh topics at once', async () => {
    const options = testMessagingOptions(brokers, { topics: { partitions: 3, replicationFactor: 1 } });
    const topics: TopicName[] = [
      Topics.inboundMessage,
      Topics.agentCommand,
      Topics.deliveryStatus,
      Topics.conversationEvent,
      ...Object.values(Topics.outbound),
    ];
    const services = Array.from({ length: 5 }, () => new TopicProvisioner(options));

    try {
      const created = await Promise.all(services.map((service) => service.ensureTopics(topics)));

      expect(new Set(created.flat()).size).toBe(topics.length * 2);
      const described = await new RawKafka(options).describeTopics(topics);
      expect(described.map(({ partitions }) => partitions)).toEqual(topics.map(() => 3));
    } finally {
      await Promise.all(services.map((service) => service.disconnect()));
    }
  });
});
