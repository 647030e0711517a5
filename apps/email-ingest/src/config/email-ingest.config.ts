import { ServiceConfig } from '@ponte/platform';

/** Settings of the email-ingest service; shared ones (Kafka, MongoDB, logging) come from ServiceConfig. */
export class EmailIngestConfig extends ServiceConfig {
  override PORT: number = 3004;
}
