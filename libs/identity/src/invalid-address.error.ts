export class InvalidAddressError extends Error {
  readonly code = 'INVALID_ADDRESS';

  constructor(
    readonly kind: string,
    readonly input: string,
    reason: string,
  ) {
    super(`Invalid ${kind} address ${JSON.stringify(input.slice(0, 64))}: ${reason}`);
    this.name = InvalidAddressError.name;
  }
}
