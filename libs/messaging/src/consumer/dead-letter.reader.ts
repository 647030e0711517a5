import { dlqTopic, type TopicName } from '@ponte/contracts';
import { setTimeout as delay } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import type { KafkaMessage } from 'kafkajs';
import { physicalTopic, type MessagingOptions } from '../config/messaging.options';
import { MessageHeader } from '../headers/message-headers.mapper';
import { createKafkaClient } from '../kafka/kafka-client.factory';

/** A dead-lettered record as ops (and tests) read it: the reason headers and the original bytes. */
export interface DeadLetter {
  readonly envelopeId?: string;
  readonly code?: string;
  readonly error?: string;
  readonly attempts?: number;
  readonly originalOffset?: string;
  readonly key: string | null;
  readonly value: string;
}

/**
 * Reads a topic's DLQ from the beginning, without committing anything (no consumer group state is kept that would
 * hide records from the next reader).
 */
export class DeadLetterReader {
  constructor(private readonly options: MessagingOptions) {}

  /** Waits until `count` records are there (or the timeout passes) and returns what was read. */
  async read(topic: TopicName, count: number, timeoutMs = 20_000): Promise<DeadLetter[]> {
    const consumer = createKafkaClient(this.options).consumer({
      groupId: `dlq-reader-${randomUUID()}`,
      maxWaitTimeInMs: 100,
      allowAutoTopicCreation: false,
    });
    const records: KafkaMessage[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: physicalTopic(this.options, dlqTopic(topic)), fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ message }) => void records.push(message),
      });
      const deadline = Date.now() + timeoutMs;
      while (records.length < count && Date.now() < deadline) await delay(50);
      return records.map(toDeadLetter);
    } finally {
      await consumer.disconnect();
    }
  }
}

function toDeadLetter(record: KafkaMessage): DeadLetter {
  const header = (name: string): string | undefined => record.headers?.[name]?.toString();
  const attempts = header(MessageHeader.attempts);
  return {
    envelopeId: header(MessageHeader.envelopeId),
    code: header(MessageHeader.errorCode),
    error: header(MessageHeader.error),
    ...(attempts === undefined ? {} : { attempts: Number(attempts) }),
    originalOffset: header(MessageHeader.originalOffset),
    key: record.key?.toString() ?? null,
    value: record.value?.toString() ?? '',
  };
}
