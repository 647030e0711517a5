import { randomUUID } from 'node:crypto';
import { envelopeType, type PayloadOf } from '../topics/topic-payload.registry';
import type { TopicName } from '../topics/topic.constants';
import type { EnvelopeOf } from './envelope.model';

export interface EnvelopeAttributes {
  /** The producing service, e.g. `/ponte/router`. */
  source: string;
  tenantId: string;
  subject?: string;
  traceparent?: string;
  /** Defaults to a random UUID; pass a deterministic one to make a replayed emit recognisable. */
  id?: string;
  /** Defaults to now. */
  time?: Date | string;
}

/** Wraps a payload in an envelope. It does not validate: `encode` does, right before the bytes leave. */
export function createEnvelope<T extends TopicName>(
  topic: T,
  data: PayloadOf<T>,
  attributes: EnvelopeAttributes,
): EnvelopeOf<T> {
  const { source, tenantId, subject, traceparent, id = randomUUID(), time = new Date() } = attributes;
  return {
    specversion: '1.0',
    id,
    source,
    type: envelopeType(topic, data),
    time: time instanceof Date ? time.toISOString() : time,
    datacontenttype: 'application/json',
    tenantId,
    // Absent rather than undefined, so the envelope equals what parse returns after the wire.
    ...(subject === undefined ? {} : { subject }),
    ...(traceparent === undefined ? {} : { traceparent }),
    data,
  };
}
