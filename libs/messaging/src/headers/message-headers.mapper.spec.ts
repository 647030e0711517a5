import {
  deadLetterHeaders,
  decodeHeaders,
  describeError,
  envelopeHeaders,
  MessageHeader,
} from './message-headers.mapper';

const failure = {
  code: 'HANDLER_FAILED' as const,
  error: new TypeError('boom'),
  topic: 'ponte.inbound.message.v1',
  partition: 2,
  offset: '41',
  attempts: 5,
  failedAt: new Date('2025-01-02T03:04:05.000Z'),
};

describe('message headers mapper', () => {
  describe(envelopeHeaders.name, () => {
    it('should carry the envelope id, tenant and traceparent next to the caller headers', () => {
      const headers = envelopeHeaders(
        { id: 'e-1', tenantId: 't-1', traceparent: '00-abc-def-01' },
        { 'x-extra': '1' },
      );

      expect(headers).toEqual({
        'x-extra': '1',
        [MessageHeader.envelopeId]: 'e-1',
        [MessageHeader.tenantId]: 't-1',
        traceparent: '00-abc-def-01',
      });
    });

    it('should omit traceparent when the envelope has none', () => {
      expect(envelopeHeaders({ id: 'e-1' })).toEqual({ [MessageHeader.envelopeId]: 'e-1' });
    });

    it('should not let a caller header override the envelope id', () => {
      expect(
        envelopeHeaders({ id: 'e-1' }, { [MessageHeader.envelopeId]: 'forged' })[MessageHeader.envelopeId],
      ).toBe('e-1');
    });
  });

  describe(decodeHeaders.name, () => {
    it('should turn buffers into strings and keep the last of repeated values', () => {
      expect(
        decodeHeaders({ a: Buffer.from('x'), b: 'y', c: [Buffer.from('1'), '2'], d: undefined }),
      ).toEqual({
        a: 'x',
        b: 'y',
        c: '2',
      });
    });

    it('should return no headers when the record has none', () => {
      expect(decodeHeaders(undefined)).toEqual({});
    });
  });

  describe(deadLetterHeaders.name, () => {
    it('should keep the original headers and add the failure', () => {
      const original = { [MessageHeader.envelopeId]: Buffer.from('e-1') };

      expect(deadLetterHeaders(original, failure)).toEqual({
        [MessageHeader.envelopeId]: Buffer.from('e-1'),
        [MessageHeader.error]: 'TypeError: boom',
        [MessageHeader.errorCode]: 'HANDLER_FAILED',
        [MessageHeader.originalTopic]: 'ponte.inbound.message.v1',
        [MessageHeader.originalPartition]: '2',
        [MessageHeader.originalOffset]: '41',
        [MessageHeader.attempts]: '5',
        [MessageHeader.failedAt]: '2025-01-02T03:04:05.000Z',
      });
    });

    it('should add the contract errors as JSON when parsing failed', () => {
      const errors = [{ path: 'data.channel', code: 'required' }];

      const headers = deadLetterHeaders(
        {},
        { ...failure, code: 'CONTRACT_VIOLATION', contractErrors: errors },
      );

      expect(JSON.parse(String(headers[MessageHeader.contractErrors]))).toEqual(errors);
    });

    it('should truncate a huge error so the headers stay small', () => {
      const headers = deadLetterHeaders({}, { ...failure, error: 'x'.repeat(10_000) });

      expect(String(headers[MessageHeader.error])).toHaveLength(4_000);
    });
  });

  describe(describeError.name, () => {
    it('should describe errors, strings and plain objects readably', () => {
      expect([new RangeError('r'), 'text', { status: 'error' }].map(describeError)).toEqual([
        'RangeError: r',
        'text',
        '{"status":"error"}',
      ]);
    });
  });
});
