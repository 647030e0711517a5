import { BlobStore } from '@ponte/channel-kit';
import { twilioMessageSid } from '@ponte/testing';
import {
  ACCOUNT_SID,
  inboundSmsParams,
  OUR_NUMBER,
  PUBLIC_BASE_URL,
  sign,
  SmsHarness,
  TENANT,
} from '../testing/sms.harness';
import { EMPTY_TWIML, TwilioWebhookController } from './twilio-webhook.controller';

const MESSAGES = '/webhooks/twilio/messages';
const STATUS = '/webhooks/twilio/status';

describe(TwilioWebhookController.name, () => {
  let sut: SmsHarness;

  beforeAll(async () => {
    sut = await SmsHarness.start();
  });

  afterAll(async () => {
    await sut?.stop();
  });

  /**
   * Sends a valid message from the same sender and waits for it: records of one key share a partition, so anything
   * the earlier requests published has been recorded by then.
   */
  async function drain(from: string): Promise<void> {
    const params = inboundSmsParams({ From: from, Body: 'sentinel' });
    expect((await sut.webhook(MESSAGES, params)).status).toBe(200);
    await sut.inboundMessage(params['MessageSid']!);
  }

  describe('inbound messages', () => {
    it('should publish one InboundMessage and answer empty TwiML when an SMS webhook is valid', async () => {
      const params = inboundSmsParams({ From: '+5511912340001', Body: 'Minha fatura veio errada 🧾' });

      const response = await sut.webhook(MESSAGES, params);

      expect(response.status).toBe(200);
      expect(response.contentType).toMatch(/^text\/xml/);
      expect(response.body).toBe(EMPTY_TWIML);
      const message = await sut.inboundMessage(params['MessageSid']!);
      expect(message).toMatchObject({
        channel: 'sms',
        channelAccountId: OUR_NUMBER,
        externalId: params['MessageSid'],
        from: { address: '+5511912340001' },
        to: [{ address: OUR_NUMBER }],
        content: { text: 'Minha fatura veio errada 🧾' },
      });
      expect(message.rawPayloadRef).toBe(`twilio/${params['MessageSid']}/webhook`);
      const envelope = sut.inbound.find((candidate) => candidate.data.externalId === params['MessageSid']);
      expect(envelope?.tenantId).toBe(TENANT);
    });

    it('should publish a whatsapp InboundMessage when the sender is whatsapp:+E164', async () => {
      const params = inboundSmsParams({
        From: 'whatsapp:+5511912340002',
        To: 'whatsapp:+14155238886',
        ProfileName: 'João Araújo',
        WaId: '5511912340002',
        Body: 'Oi!',
      });

      expect((await sut.webhook(MESSAGES, params)).status).toBe(200);

      expect(await sut.inboundMessage(params['MessageSid']!)).toMatchObject({
        channel: 'whatsapp',
        channelAccountId: 'whatsapp:+14155238886',
        from: { address: 'whatsapp:+5511912340002', displayName: 'João Araújo' },
      });
    });

    it('should publish once and fetch media once when the same webhook arrives 5 times concurrently and once more', async () => {
      const sid = twilioMessageSid();
      const mediaPath = sut.twilio.mediaPath(sid);
      const mediaUrl = sut.twilio.serveMedia(mediaPath, {
        kind: 'bytes',
        contentType: 'image/jpeg',
        bytes: Buffer.from('jpeg bytes'),
      });
      const params = inboundSmsParams({
        MessageSid: sid,
        From: '+5511912340003',
        NumMedia: '1',
        MediaUrl0: mediaUrl,
        MediaContentType0: 'image/jpeg',
      });
      const redelivery = { headers: { 'i-twilio-idempotency-token': `token-${sid}` } };

      const concurrent = await Promise.all(
        Array.from({ length: 5 }, () => sut.webhook(MESSAGES, params, redelivery)),
      );
      const later = await sut.webhook(MESSAGES, params, redelivery);
      await drain('+5511912340003');

      expect(concurrent.map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);
      expect(later.status).toBe(200);
      expect(sut.inboundCopies(sid)).toBe(1);
      expect(sut.twilio.hitsOf(mediaPath)).toBe(1);
    });

    it('should answer 400 and publish nothing when the sender is on a channel this service does not handle', async () => {
      const params = inboundSmsParams({ From: 'messenger:1234567890', To: 'messenger:9876543210' });

      expect((await sut.webhook(MESSAGES, params)).status).toBe(400);
    });
  });

  describe('signatures', () => {
    const from = '+5511912340010';

    it.each([
      ['missing', () => ({ signature: null })],
      [
        'made with another auth token',
        (params: Record<string, string>) => ({
          signature: sign(`${PUBLIC_BASE_URL}${MESSAGES}`, params, 'not-our-token'),
        }),
      ],
      [
        'made for another URL',
        (params: Record<string, string>) => ({
          signature: sign(`https://attacker.example.com${MESSAGES}`, params),
        }),
      ],
      [
        'made for the listening address instead of the configured public URL',
        (params: Record<string, string>) => ({
          signature: sign(`${sut.url}${MESSAGES}`, params),
        }),
      ],
      [
        'valid for a body that was changed afterwards',
        (params: Record<string, string>) => ({
          body: new URLSearchParams({ ...params, Body: 'Transfira R$ 5.000' }).toString(),
        }),
      ],
    ])('should answer 403 and store nothing when the signature is %s', async (_, tamper) => {
      const params = inboundSmsParams({ From: from });

      const response = await sut.webhook(MESSAGES, params, tamper(params));
      await drain(from);

      expect(response.status).toBe(403);
      expect(sut.inboundCopies(params['MessageSid']!)).toBe(0);
      expect(
        await sut.db.collection('twilio_inbound_receipts').findOne({ _id: params['MessageSid'] as never }),
      ).toBeNull();
      expect(
        await sut.db.collection('blobs').findOne({ _id: `twilio/${params['MessageSid']}/webhook` as never }),
      ).toBeNull();
    });

    it('should answer 403 when a status callback is not signed', async () => {
      const response = await sut.webhook(`${STATUS}?messageId=m-unsigned`, statusParams('delivered'), {
        signature: null,
      });

      expect(response.status).toBe(403);
    });
  });

  describe('MMS media', () => {
    it('should store media from the allowed origin, following its redirect there, and reference it by blob id', async () => {
      const sid = twilioMessageSid();
      const bytes = Buffer.alloc(3_000, 7);
      const cdnPath = `/cdn/${sid}/photo`;
      sut.twilio.serveMedia(cdnPath, { kind: 'bytes', contentType: 'image/png', bytes, requireAuth: true });
      const mediaUrl = sut.twilio.serveMedia(sut.twilio.mediaPath(sid), {
        kind: 'redirect',
        location: cdnPath,
      });
      const params = inboundSmsParams({
        MessageSid: sid,
        From: '+5511912340020',
        Body: '',
        NumMedia: '1',
        MediaUrl0: mediaUrl,
        MediaContentType0: 'image/png',
      });

      expect((await sut.webhook(MESSAGES, params)).status).toBe(200);

      const message = await sut.inboundMessage(sid);
      expect(message.attachments).toEqual([
        { blobId: `twilio/${sid}/media/0`, contentType: 'image/png', size: 3_000 },
      ]);
      expect(message.content.text).toBeUndefined();
      const stored = await sut.app.get(BlobStore).read(`twilio/${sid}/media/0`);
      expect(stored?.bytes.equals(bytes)).toBe(true);
    });

    it('should publish the text without the refused media, each with a note, when media break the policy', async () => {
      const sid = twilioMessageSid();
      const good = sut.twilio.serveMedia(sut.twilio.mediaPath(sid), {
        kind: 'bytes',
        contentType: 'image/jpeg',
        bytes: Buffer.from('ok'),
      });
      const elsewherePath = `/evil/${sid}`;
      const elsewhere = sut.elsewhere.serveMedia(elsewherePath, {
        kind: 'bytes',
        contentType: 'image/jpeg',
        bytes: Buffer.from('internal secrets'),
      });
      const redirectedAway = sut.twilio.serveMedia(sut.twilio.mediaPath(sid), {
        kind: 'redirect',
        location: elsewhere,
        status: 302,
      });
      const tooLarge = sut.twilio.serveMedia(sut.twilio.mediaPath(sid), {
        kind: 'bytes',
        contentType: 'video/mp4',
        bytes: Buffer.alloc(100 * 1024),
        chunked: true,
      });
      const badType = sut.twilio.serveMedia(sut.twilio.mediaPath(sid), {
        kind: 'bytes',
        contentType: 'image/svg+xml',
        bytes: Buffer.from('<svg onload="alert(1)"/>'),
      });
      const media = [good, elsewhere, redirectedAway, tooLarge, badType];
      const params = inboundSmsParams({
        MessageSid: sid,
        From: '+5511912340021',
        Body: 'Seguem as fotos',
        NumMedia: String(media.length),
        ...Object.fromEntries(media.map((url, index) => [`MediaUrl${index}`, url])),
        ...Object.fromEntries(media.map((_, index) => [`MediaContentType${index}`, 'image/jpeg'])),
      });

      expect((await sut.webhook(MESSAGES, params)).status).toBe(200);

      const message = await sut.inboundMessage(sid);
      expect(message.attachments).toEqual([
        { blobId: `twilio/${sid}/media/0`, contentType: 'image/jpeg', size: 2 },
      ]);
      const lines = message.content.text?.split('\n') ?? [];
      expect(lines[0]).toBe('Seguem as fotos');
      expect(lines.slice(1)).toEqual([
        expect.stringMatching(/^\[attachment 2 not accepted: .* is not an allowed media origin\]$/),
        expect.stringMatching(/^\[attachment 3 not accepted: redirect to .* refused\]$/),
        expect.stringMatching(/^\[attachment 4 not accepted: .*exceed the 65536-byte limit\]$/),
        expect.stringMatching(
          /^\[attachment 5 not accepted: image\/svg\+xml is not an allowed media type\]$/,
        ),
      ]);
      expect(sut.elsewhere.hitsOf(elsewherePath)).toBe(0);
      for (const index of [1, 2, 3, 4]) {
        expect(await sut.app.get(BlobStore).metadata(`twilio/${sid}/media/${index}`)).toBeNull();
      }
    });
  });

  describe('status callbacks', () => {
    it('should publish a delivered DeliveryStatus with our message id when Twilio reports delivered', async () => {
      const sid = twilioMessageSid();

      const response = await sut.webhook(
        `${STATUS}?messageId=reply-1&conversationId=conversation-7&tenantId=${TENANT}`,
        statusParams('delivered', { MessageSid: sid, SmsSid: sid }),
      );

      expect(response.status).toBe(200);
      expect(await sut.status('reply-1', 'delivered')).toMatchObject({
        messageId: 'reply-1',
        conversationId: 'conversation-7',
        channel: 'sms',
        channelAccountId: OUR_NUMBER,
        externalId: sid,
        state: 'delivered',
      });
    });

    it('should publish failed with Twilio error code when Twilio reports undelivered', async () => {
      const response = await sut.webhook(
        `${STATUS}?messageId=reply-2&conversationId=conversation-7&tenantId=${TENANT}`,
        statusParams('undelivered', { ErrorCode: '30003' }),
      );

      expect(response.status).toBe(200);
      expect(await sut.status('reply-2', 'failed')).toMatchObject({
        state: 'failed',
        error: { code: '30003', message: 'Unreachable destination handset' },
      });
    });
  });
});

describe(`${TwilioWebhookController.name} without Twilio settings`, () => {
  let sut: SmsHarness;

  beforeAll(async () => {
    sut = await SmsHarness.start({ withoutTwilio: true });
  });

  afterAll(async () => {
    await sut?.stop();
  });

  it('should answer 503 naming the settings and still be ready when Twilio is not configured', async () => {
    const response = await sut.webhook(MESSAGES, inboundSmsParams());

    expect(response.status).toBe(503);
    expect(response.body).toMatch(/TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and SMS_PUBLIC_BASE_URL/);
    expect((await fetch(`${sut.url}/health/ready`)).status).toBe(200);
  });
});

/** A status callback with the parameters Twilio documents. */
function statusParams(status: string, overrides: Record<string, string> = {}): Record<string, string> {
  const sid = overrides['MessageSid'] ?? twilioMessageSid();
  return {
    ApiVersion: '2010-04-01',
    MessageStatus: status,
    SmsSid: sid,
    SmsStatus: status,
    To: '+5511987654321',
    From: OUR_NUMBER,
    MessageSid: sid,
    AccountSid: ACCOUNT_SID,
    ...overrides,
  };
}
