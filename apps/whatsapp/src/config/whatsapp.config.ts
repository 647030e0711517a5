import { ServiceConfig } from '@ponte/platform';

/** Settings of the whatsapp service; shared ones (Kafka, MongoDB, logging) come from ServiceConfig. */
export class WhatsappConfig extends ServiceConfig {
  override PORT: number = 3003;
}
