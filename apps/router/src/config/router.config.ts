import { ServiceConfig } from '@ponte/platform';

/** Settings of the router service; shared ones (Kafka, MongoDB, logging) come from ServiceConfig. */
export class RouterConfig extends ServiceConfig {
  override PORT: number = 3001;
}
