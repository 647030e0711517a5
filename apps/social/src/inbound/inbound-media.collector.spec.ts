import { isAllowedOrigin } from './inbound-media.collector';

describe(isAllowedOrigin.name, () => {
  const patterns = ['https://*.fbcdn.net', 'https://lookaside.fbsbx.com', 'http://127.0.0.1:8080'];

  it.each([
    ['https://scontent.xx.fbcdn.net', true],
    ['https://scontent-gru2-1.xx.fbcdn.net', true],
    ['https://lookaside.fbsbx.com', true],
    ['http://127.0.0.1:8080', true],
    ['https://fbcdn.net.evil.com', false],
    ['https://evilfbcdn.net', false],
    ['http://scontent.xx.fbcdn.net', false],
    ['https://scontent.xx.fbcdn.net:8443', false],
    ['http://127.0.0.1:9090', false],
    ['http://169.254.169.254', false],
  ])('should judge %s allowed: %s', (origin, allowed) => {
    expect(isAllowedOrigin(origin, patterns)).toBe(allowed);
  });
});
