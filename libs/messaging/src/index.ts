export {
  type GroupTimings,
  type MessagingLogger,
  type MessagingLogLevel,
  type MessagingOptions,
  type RetrySettings,
  type TopicSettings,
} from './config/messaging.options';
export { type DecodeResult, type EnvelopeCodec } from './contract/envelope.codec';
export { RejectedMessageError } from './consumer/rejected-message.error';
export { type DeadLetter, DeadLetterReader } from './consumer/dead-letter.reader';
export { type BatchHandler, type ConsumedMessage, type MessageHandler } from './consumer/consumed-message';
export {
  type ConsumerHandlers,
  ConsumerRunner,
  type ConsumerRunnerOptions,
  type ConsumerSubscription,
} from './consumer/consumer.runner';
export { type DeadLetterCode, MessageHeader, type MessageHeaders } from './headers/message-headers.mapper';
export {
  type AnyPublishRecord,
  MessageBus,
  type PublishOptions,
  type PublishRecord,
} from './producer/message-bus.service';
export { TopicProvisioner } from './topics/topic-provisioner.service';
export { KafkaErrorFilter } from './nest/kafka-error.filter';
export { KafkaHealthIndicator } from './nest/kafka.health';
export { KafkaMessageContext } from './nest/kafka-message.context';
export { KafkaTransport, type KafkaTransportOptions } from './nest/kafka.transport';
export { type MessagingModuleAsyncOptions, MessagingModule } from './nest/messaging.module';
export { MESSAGING_OPTIONS } from './nest/messaging.tokens';
