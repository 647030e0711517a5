import { networkSendFailure } from './send-failure';

describe(networkSendFailure.name, () => {
  it('should make a failure retryable when the request certainly never left', () => {
    const sut = networkSendFailure('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1', 'Twilio');

    expect(sut).toMatchObject({ kind: 'retryable', code: 'PONTE_NETWORK_ECONNREFUSED' });
  });

  it('should make any other failure uncertain, naming who did not answer', () => {
    const sut = networkSendFailure('ECONNRESET', 'socket hang up', 'Graph');

    expect(sut).toMatchObject({ kind: 'uncertain', code: 'PONTE_SEND_UNCERTAIN' });
    expect(sut.message).toBe(
      "Graph's answer was lost (ECONNRESET); the message may or may not have been sent",
    );
    expect(networkSendFailure(undefined, 'timeout', 'Twilio').message).toMatch(/\(timeout\)/);
  });
});
