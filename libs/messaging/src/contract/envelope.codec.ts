import { encode, parse, type ContractError, type EnvelopeOf, type TopicName } from '@ponte/contracts';

export type DecodeResult<T extends TopicName> =
  | { readonly ok: true; readonly value: EnvelopeOf<T> }
  | { readonly ok: false; readonly errors: readonly ContractError[] };

/** The seam between the bus and the contract: bytes on the wire <-> typed envelopes. */
export interface EnvelopeCodec {
  parse<T extends TopicName>(topic: T, bytes: Buffer): DecodeResult<T>;
  /** Validates; throws ContractViolationError so an invalid envelope is never published. */
  encode<T extends TopicName>(topic: T, envelope: EnvelopeOf<T>): Buffer;
}

export const contractsCodec: EnvelopeCodec = { parse, encode };
