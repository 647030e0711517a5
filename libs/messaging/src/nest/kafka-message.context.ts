import { BaseRpcContext } from '@nestjs/microservices';
import type { ConsumedMessage } from '../consumer/consumed-message';

/** What `@Ctx()` gives a Kafka handler: the record's coordinates and headers (the envelope is the `@Payload()`). */
export class KafkaMessageContext extends BaseRpcContext<[ConsumedMessage]> {
  getMessage(): ConsumedMessage {
    return this.args[0];
  }
}
