import { ServiceConfig } from '@ponte/platform';

/** Settings of the gateway service; shared ones (Kafka, MongoDB, logging) come from ServiceConfig. */
export class GatewayConfig extends ServiceConfig {
  override PORT: number = 3000;
}
