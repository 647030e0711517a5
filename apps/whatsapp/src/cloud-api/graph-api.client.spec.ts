import { graphError } from '../testing/fake-graph.server';
import { classifyGraphError } from './graph-api.client';

describe(classifyGraphError.name, () => {
  it.each([
    ['HTTP 429', 429, graphError(4, '(#4) Application request limit reached')],
    ['HTTP 500', 500, graphError(1, 'An unknown error occurred', 'OAuthException')],
    ['HTTP 503 without a body', 503, undefined],
    ['throughput (130429) on HTTP 400', 400, graphError(130429, '(#130429) Rate limit hit')],
    [
      'pair rate limit (131056)',
      400,
      graphError(131056, '(#131056) (Business Account, Consumer Account) pair rate limit hit'),
    ],
    ['service unavailable (131016)', 400, graphError(131016, 'Service unavailable')],
  ])('should be retryable on %s', (_, status, body) => {
    expect(classifyGraphError(status, body).kind).toBe('retryable');
  });

  it.each([
    ['re-engagement (131047)', 131047],
    ['undeliverable (131026)', 131026],
    ['invalid parameter (100)', 100],
    ['template missing (132001)', 132001],
    ['expired token (190)', 190],
  ])("should be permanent with Meta's code on %s", (_, code) => {
    const sut = classifyGraphError(400, graphError(code, `(#${code}) refused`));

    expect(sut).toMatchObject({ kind: 'permanent', code: String(code), httpStatus: 400 });
  });

  it("should keep Meta's message and details for codes Ponte does not describe", () => {
    const sut = classifyGraphError(
      400,
      graphError(
        131009,
        '(#131009) Parameter value is not valid',
        'OAuthException',
        undefined,
        'to is not a valid phone number',
      ),
    );

    expect(sut.message).toBe('(#131009) Parameter value is not valid: to is not a valid phone number');
  });
});
