import { classifyGraphError } from './graph-send.client';

function graphError(code: number, message: string, subcode?: number): unknown {
  return { error: { message, type: 'OAuthException', code, error_subcode: subcode, fbtrace_id: 'AbC' } };
}

describe(classifyGraphError.name, () => {
  it.each([
    [429, graphError(4, '(#4) Application request limit reached'), '4'],
    [400, graphError(32, '(#32) Page request limit reached'), '32'],
    [400, graphError(613, '(#613) Calls to this api have exceeded the rate limit'), '613'],
    [400, graphError(1200, 'Temporary send message failure. Please try again later'), '1200'],
    [500, graphError(2, 'An unexpected error has occurred'), '2'],
    [503, undefined, 'HTTP_503'],
  ])('should retry a %i with %j', (status, body, code) => {
    expect(classifyGraphError(status, body)).toMatchObject({ kind: 'retryable', code, httpStatus: status });
  });

  it('should fail for good with Meta’s code and what it means', () => {
    const sut = classifyGraphError(
      400,
      graphError(10, '(#10) This message is sent outside of allowed window.', 2018278),
    );

    expect(sut).toMatchObject({ kind: 'permanent', code: '10' });
    expect(sut.message).toMatch(/outside the allowed messaging window .*subcode 2018278/);
    expect(classifyGraphError(400, graphError(551, 'This person isn’t available right now.'))).toMatchObject({
      kind: 'permanent',
      code: '551',
    });
    expect(classifyGraphError(400, graphError(100, '(#100) Invalid parameter'))).toMatchObject({
      kind: 'permanent',
      code: '100',
      message: '(#100) Invalid parameter',
    });
  });
});
