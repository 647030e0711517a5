import type { OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { EnvelopeOf, TopicName } from '@ponte/contracts';
import type { Message, Producer } from 'kafkajs';
import { physicalTopic, type MessagingOptions } from '../config/messaging.options';
import { contractsCodec, type EnvelopeCodec } from '../contract/envelope.codec';
import { envelopeHeaders, type MessageHeaders } from '../headers/message-headers.mapper';
import { createKafkaClient } from '../kafka/kafka-client.factory';
import { ACKS_ALL, createProducer, LazyConnection } from './kafka-producer.factory';

export interface PublishOptions {
  /** Decides the partition, hence the order: use the key the contract names for the topic. */
  readonly key: string;
  readonly headers?: MessageHeaders;
}

export interface PublishRecord<T extends TopicName> extends PublishOptions {
  readonly topic: T;
  readonly envelope: EnvelopeOf<T>;
}

/** One record of any topic, with the envelope type still tied to its own topic. */
export type AnyPublishRecord = { [T in TopicName]: PublishRecord<T> }[TopicName];

/**
 * Publishes contract envelopes. A resolved promise means every in-sync replica has the record; adapters answer
 * their provider only after it (invariant 1).
 */
export class MessageBus implements OnModuleInit, OnApplicationShutdown {
  private readonly producer: Producer;
  private readonly codec: EnvelopeCodec;
  private readonly connection: LazyConnection;

  constructor(private readonly options: MessagingOptions) {
    this.producer = createProducer(createKafkaClient(options));
    this.codec = options.codec ?? contractsCodec;
    this.connection = new LazyConnection(() => this.producer.connect());
  }

  async onModuleInit(): Promise<void> {
    await this.connect();
  }

  // Not onModuleDestroy: Nest closes microservice transports after that hook, and their in-flight handlers may
  // still publish; onApplicationShutdown runs after the transports are closed.
  async onApplicationShutdown(): Promise<void> {
    await this.disconnect();
  }

  connect(): Promise<void> {
    return this.connection.ensure();
  }

  async disconnect(): Promise<void> {
    if (!this.connection.opened) return;
    this.connection.reset();
    await this.producer.disconnect();
  }

  async publish<T extends TopicName>(
    topic: T,
    envelope: EnvelopeOf<T>,
    options: PublishOptions,
  ): Promise<void> {
    await this.publishBatch([{ topic, envelope, ...options } as AnyPublishRecord]);
  }

  /** One request per broker for the whole batch: the way to go when a handler emits many events. */
  async publishBatch(records: readonly AnyPublishRecord[]): Promise<void> {
    if (records.length === 0) return;
    // Encode everything before sending anything, so a contract violation publishes nothing.
    const byTopic = new Map<string, Message[]>();
    for (const record of records) {
      const topic = physicalTopic(this.options, record.topic);
      const messages = byTopic.get(topic) ?? [];
      messages.push(this.toMessage(record));
      byTopic.set(topic, messages);
    }
    await this.connect();
    await this.producer.sendBatch({
      acks: ACKS_ALL,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
  }

  private toMessage<T extends TopicName>(record: PublishRecord<T>): Message {
    return {
      key: record.key,
      value: this.codec.encode(record.topic, record.envelope),
      headers: envelopeHeaders(record.envelope, record.headers),
    };
  }
}
