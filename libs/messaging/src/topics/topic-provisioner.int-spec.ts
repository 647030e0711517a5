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
});
