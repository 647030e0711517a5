import type { EnvelopeOf, TopicName } from '@ponte/contracts';
import type { MessageHeaders } from '../headers/message-headers.mapper';

/**
 * A record that passed the contract, with its Kafka coordinates. Distributes over a union of topics, so a
 * handler subscribed to several topics narrows `envelope` by checking `topic`.
 */
export type ConsumedMessage<T extends TopicName = TopicName> = T extends TopicName
  ? {
      /** The contract's topic name, without the environment prefix. */
      readonly topic: T;
      readonly partition: number;
      readonly offset: string;
      readonly key: string | null;
      readonly headers: MessageHeaders;
      /** Broker timestamp of the record, epoch milliseconds as a string (Kafka's own representation). */
      readonly timestamp: string;
      readonly envelope: EnvelopeOf<T>;
    }
  : never;

export type MessageHandler<T extends TopicName = TopicName> = (message: ConsumedMessage<T>) => Promise<void>;

export type BatchHandler<T extends TopicName = TopicName> = (
  messages: readonly ConsumedMessage<T>[],
) => Promise<void>;
