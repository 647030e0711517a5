import { ServiceConfig } from '@ponte/platform';

/** Settings of the sms service; shared ones (Kafka, MongoDB, logging) come from ServiceConfig. */
export class SmsConfig extends ServiceConfig {
  override PORT: number = 3002;
}
