import { IsIn, IsNotEmpty, IsObject, IsString, Matches, MaxLength } from 'class-validator';
import type { PayloadOf } from '../topics/topic-payload.registry';
import type { TopicName } from '../topics/topic.constants';
import { IsIdentifier, IsIsoDateTime, IsText } from '../validation/contract.decorators';
import { ContractLimits } from '../validation/contract.limits';

/** A CloudEvents 1.0 event (structured JSON mode) plus Ponte's `tenantId` and the W3C `traceparent`. */
export interface Envelope<T> {
  id: string;
  source: string;
  type: string;
  time: string;
  subject?: string;
  specversion: '1.0';
  datacontenttype: 'application/json';
  tenantId: string;
  traceparent?: string;
  data: T;
}

export type EnvelopeOf<T extends TopicName> = Envelope<PayloadOf<T>>;

// W3C trace-context: version `ff` is invalid; later versions may append fields, which a reader must accept.
const TRACEPARENT = /^(?!ff)[\da-f]{2}-(?!0{32})[\da-f]{32}-(?!0{16})[\da-f]{16}-[\da-f]{2}(-.*)?$/;

/** Validates the envelope attributes; `data` is validated separately by the topic's payload class. */
export class EnvelopeSchema {
  @IsIdentifier()
  id!: string;

  /** The producing service (`/ponte/sms`); CloudEvents makes it a URI-reference, we only require non-empty. */
  @IsString()
  @IsNotEmpty()
  @MaxLength(ContractLimits.identifierLength)
  source!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(ContractLimits.identifierLength)
  type!: string;

  @IsIsoDateTime()
  time!: string;

  @IsText(ContractLimits.identifierLength, { optional: true })
  subject?: string;

  @IsIn(['1.0'])
  specversion!: '1.0';

  @IsIn(['application/json'])
  datacontenttype!: 'application/json';

  @IsIdentifier()
  tenantId!: string;

  @IsText(ContractLimits.identifierLength, { optional: true })
  @Matches(TRACEPARENT, { message: 'traceparent must be a W3C trace-context traceparent' })
  traceparent?: string;

  @IsObject()
  data!: object;
}
