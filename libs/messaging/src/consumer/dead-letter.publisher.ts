import { dlqTopic, type TopicName } from '@ponte/contracts';
import type { KafkaMessage, Producer } from 'kafkajs';
import { physicalTopic, type MessagingOptions } from '../config/messaging.options';
import { deadLetterHeaders, type DeadLetterFailure } from '../headers/message-headers.mapper';
import { createKafkaClient } from '../kafka/kafka-client.factory';
import { ACKS_ALL, createProducer, LazyConnection } from '../producer/kafka-producer.factory';

/**
 * Moves a record that cannot be processed to `<topic>.dlq`: the original key, bytes and headers, plus the
 * failure as headers. The consumer commits past the record only once this send is acknowledged.
 */
export class DeadLetterPublisher {
  private readonly producer: Producer;
  private readonly connection: LazyConnection;

  constructor(private readonly options: MessagingOptions) {
    this.producer = createProducer(createKafkaClient(options));
    this.connection = new LazyConnection(() => this.producer.connect());
  }

  async publish(
    logicalTopic: TopicName,
    record: KafkaMessage,
    failure: Omit<DeadLetterFailure, 'topic'>,
  ): Promise<void> {
    await this.connection.ensure();
    await this.producer.send({
      topic: physicalTopic(this.options, dlqTopic(logicalTopic)),
      acks: ACKS_ALL,
      messages: [
        {
          key: record.key,
          value: record.value,
          headers: deadLetterHeaders(record.headers ?? {}, { ...failure, topic: logicalTopic }),
        },
      ],
    });
  }

  async disconnect(): Promise<void> {
    if (!this.connection.opened) return;
    this.connection.reset();
    await this.producer.disconnect();
  }
}
