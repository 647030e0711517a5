import { parsePayload, Topics } from '@ponte/contracts';
import { InvalidTwilioWebhookError, mediaOf, normalizeInboundMessage } from './inbound-message.normalizer';

const RECEIVED_AT = '2025-03-14T12:00:00.000Z';

/** An incoming SMS webhook with the parameters Twilio documents. */
function smsWebhook(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    ToCountry: 'BR',
    SmsMessageSid: 'SM1f0e8ae6ade43cb3c0ce4525424e404f',
    NumMedia: '0',
    SmsSid: 'SM1f0e8ae6ade43cb3c0ce4525424e404f',
    SmsStatus: 'received',
    Body: 'Olá',
    To: '+5511999990000',
    NumSegments: '1',
    MessageSid: 'SM1f0e8ae6ade43cb3c0ce4525424e404f',
    AccountSid: `AC${'0'.repeat(32)}`,
    From: '+5511987654321',
    ApiVersion: '2010-04-01',
    ...overrides,
  };
}

describe(normalizeInboundMessage.name, () => {
  it('should map an SMS to a contract-valid InboundMessage when the webhook is complete', () => {
    const sut = normalizeInboundMessage({ params: smsWebhook(), receivedAt: RECEIVED_AT });

    expect(sut).toEqual({
      channel: 'sms',
      channelAccountId: '+5511999990000',
      externalId: 'SM1f0e8ae6ade43cb3c0ce4525424e404f',
      from: { address: '+5511987654321' },
      to: [{ address: '+5511999990000' }],
      receivedAt: RECEIVED_AT,
      content: { text: 'Olá' },
    });
    expect(parsePayload(Topics.inboundMessage, sut).ok).toBe(true);
  });

  it('should map WhatsApp through Twilio with the profile name and the replied-to message', () => {
    const sut = normalizeInboundMessage({
      params: smsWebhook({
        From: 'whatsapp:+5511987654321',
        To: 'whatsapp:+14155238886',
        ProfileName: 'Maria',
        OriginalRepliedMessageSid: 'SMaaaa',
      }),
      receivedAt: RECEIVED_AT,
    });

    expect(sut).toMatchObject({
      channel: 'whatsapp',
      channelAccountId: 'whatsapp:+14155238886',
      from: { address: 'whatsapp:+5511987654321', displayName: 'Maria' },
      threading: { replyToExternalId: 'SMaaaa' },
    });
  });

  it('should append the notes about refused media after the text and carry the attachments', () => {
    const sut = normalizeInboundMessage({
      params: smsWebhook({ Body: 'fotos' }),
      receivedAt: RECEIVED_AT,
      attachments: [{ blobId: 'twilio/SM1/media/0', contentType: 'image/jpeg', size: 10 }],
      notes: ['[attachment 2 not accepted: too large]'],
      rawPayloadRef: 'twilio/SM1/webhook',
    });

    expect(sut.content.text).toBe('fotos\n[attachment 2 not accepted: too large]');
    expect(sut.attachments).toHaveLength(1);
    expect(sut.rawPayloadRef).toBe('twilio/SM1/webhook');
    expect(parsePayload(Topics.inboundMessage, sut).ok).toBe(true);
  });

  it('should leave the text out when an MMS has no body', () => {
    const sut = normalizeInboundMessage({ params: smsWebhook({ Body: '' }), receivedAt: RECEIVED_AT });

    expect(sut.content).toEqual({});
  });

  it.each([
    ['MessageSid', { MessageSid: '', SmsMessageSid: '' }],
    ['From', { From: '' }],
    ['a channel this service does not handle', { From: 'messenger:123', To: 'messenger:456' }],
    ['mixed channels', { From: 'whatsapp:+5511987654321' }],
  ])('should refuse the webhook when it lacks %s', (_, overrides) => {
    expect(() => normalizeInboundMessage({ params: smsWebhook(overrides), receivedAt: RECEIVED_AT })).toThrow(
      InvalidTwilioWebhookError,
    );
  });
});

describe(mediaOf.name, () => {
  it('should list NumMedia media with their declared types', () => {
    const sut = mediaOf(
      smsWebhook({
        NumMedia: '2',
        MediaUrl0: 'https://api.twilio.com/a',
        MediaContentType0: 'image/jpeg',
        MediaUrl1: 'https://api.twilio.com/b',
      }),
    );

    expect(sut).toEqual([
      { index: 0, url: 'https://api.twilio.com/a', contentType: 'image/jpeg' },
      { index: 1, url: 'https://api.twilio.com/b' },
    ]);
  });

  it('should read at most 10 media whatever NumMedia claims', () => {
    const params = smsWebhook({ NumMedia: '500' });
    for (let index = 0; index < 20; index++) params[`MediaUrl${index}`] = `https://api.twilio.com/${index}`;

    expect(mediaOf(params)).toHaveLength(10);
  });
});
