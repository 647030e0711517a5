import { SendFailure } from '@ponte/channel-kit';
import { classify } from './twilio.provider';

describe(classify.name, () => {
  it.each([
    [{ status: 429, code: 20429, message: 'Too Many Requests' }, 'retryable', '20429'],
    [{ status: 503, code: 20503, message: 'Service Unavailable' }, 'retryable', '20503'],
    [{ status: 502 }, 'retryable', 'HTTP_502'],
    [{ status: 400, code: 21211, message: "The 'To' number is not valid" }, 'permanent', '21211'],
    [{ status: 401, code: 20003, message: 'Authenticate' }, 'permanent', '20003'],
    [
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      'retryable',
      'PONTE_NETWORK_ECONNREFUSED',
    ],
    [
      Object.assign(new Error('timeout of 15000ms exceeded'), { code: 'ECONNABORTED' }),
      'uncertain',
      'PONTE_SEND_UNCERTAIN',
    ],
    [Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'uncertain', 'PONTE_SEND_UNCERTAIN'],
  ])('should classify %o as %s with code %s', (error, kind, code) => {
    const sut = classify(error);

    expect(sut).toBeInstanceOf(SendFailure);
    expect(sut.kind).toBe(kind);
    expect(sut.code).toBe(code);
  });
});
