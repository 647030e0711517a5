import { redactUrl } from './logger-options';

describe(redactUrl.name, () => {
  it.each([
    ['/media/YmxvYg.1700000000.c2lnbmF0dXJl', '/media/[redacted]'],
    ['/sms/media/abc?download=1', '/sms/media/[redacted]?download=1'],
    [
      '/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=s3cret&hub.challenge=42',
      '/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=[redacted]&hub.challenge=42',
    ],
    ['/api/v1/x?access_token=abc&page=2', '/api/v1/x?access_token=[redacted]&page=2'],
    ['/webhooks/twilio/messages', '/webhooks/twilio/messages'],
    ['/health/ready?verbose', '/health/ready?verbose'],
  ])('should log %s as %s', (url, logged) => {
    expect(redactUrl(url)).toBe(logged);
  });
});
