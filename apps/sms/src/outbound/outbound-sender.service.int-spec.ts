import { randomUUID } from 'node:crypto';
import { twilioError, waitFor } from '@ponte/testing';
import { ACCOUNT_SID, OUR_NUMBER, PUBLIC_BASE_URL, SmsHarness, TENANT } from '../testing/sms.harness';
import { OutboundSenderService } from './outbound-sender.service';

describe(OutboundSenderService.name, () => {
  let sut: SmsHarness;

  beforeAll(async () => {
    sut = await SmsHarness.start();
  });

  afterAll(async () => {
    await sut?.stop();
  });

  /**
   * Publishes another message of the same conversation and waits for its status: one conversation is one partition,
   * consumed in order, so whatever the earlier events caused has happened by then.
   */
  async function drain(conversationId: string): Promise<void> {
    const sentinel = await sut.outbound({
      conversationId,
      to: { address: '+5511900000000' },
      content: { text: 'sentinel' },
    });
    await sut.status(sentinel.messageId);
  }

  it('should call Twilio once with a status callback and report queued when the outbound event is delivered twice', async () => {
    const conversationId = `conversation-${randomUUID()}`;
    const to = '+5511987650001';
    const message = await sut.outbound({
      conversationId,
      to: { address: to },
      content: { text: 'Sua conta foi desbloqueada' },
    });
    await sut.republish(message);
    await drain(conversationId);

    const sends = sut.twilio.sendsTo(to);
    expect(sends).toHaveLength(1);
    expect(sends[0]).toMatchObject({ accountSid: ACCOUNT_SID, authorized: true });
    expect(sends[0]!.params).toMatchObject({ To: to, From: OUR_NUMBER, Body: 'Sua conta foi desbloqueada' });
    const callback = new URL(sends[0]!.params['StatusCallback']!);
    expect(`${callback.origin}${callback.pathname}`).toBe(`${PUBLIC_BASE_URL}/webhooks/twilio/status`);
    expect(Object.fromEntries(callback.searchParams)).toEqual({
      messageId: message.messageId,
      conversationId,
      tenantId: TENANT,
    });
    const status = await sut.status(message.messageId, 'queued');
    expect(status.externalId).toMatch(/^SM[0-9a-f]{32}$/);
    const ledger = await sut.db
      .collection('twilio_outbound_ledger')
      .findOne({ _id: message.messageId as never });
    expect(ledger).toMatchObject({ state: 'sent', attempts: 1, externalId: status.externalId });
  });

  it('should send WhatsApp through Twilio with whatsapp: addresses when the account is a Twilio WhatsApp sender', async () => {
    const message = await sut.outbound({
      channel: 'whatsapp',
      channelAccountId: 'whatsapp:+14155238886',
      to: { address: '+5511987650002' },
    });

    await sut.status(message.messageId, 'queued');

    expect(sut.twilio.sendsTo('whatsapp:+5511987650002')).toHaveLength(1);
    expect(sut.twilio.sendsTo('whatsapp:+5511987650002')[0]!.params['From']).toBe('whatsapp:+14155238886');
  });

  it('should retry and send once when Twilio answers 429 first', async () => {
    const to = '+5511987650003';
    sut.twilio.replyWith({ status: 429, body: twilioError(20429, 'Too Many Requests', 429) });

    const message = await sut.outbound({ to: { address: to } });

    expect(await sut.status(message.messageId, 'queued')).toMatchObject({ state: 'queued' });
    expect(sut.twilio.sendsTo(to)).toHaveLength(2);
    const ledger = await sut.db
      .collection('twilio_outbound_ledger')
      .findOne({ _id: message.messageId as never });
    expect(ledger).toMatchObject({ state: 'sent', attempts: 2 });
    await drain(message.conversationId);
    expect(
      sut.statuses
        .filter((status) => status.data.messageId === message.messageId)
        .map((status) => status.data.state),
    ).toEqual(['queued']);
  });

  it('should report failed with the Twilio code, without retrying, when Twilio refuses the number (21211)', async () => {
    const to = '+5511987650004';
    sut.twilio.replyWith({
      status: 400,
      body: twilioError(21211, `The 'To' number ${to} is not a valid phone number.`, 400),
    });

    const message = await sut.outbound({ to: { address: to } });

    expect(await sut.status(message.messageId, 'failed')).toMatchObject({
      state: 'failed',
      channel: 'sms',
      error: {
        code: '21211',
        message: `The 'To' number ${to} is not a valid phone number.`,
        retryable: false,
      },
    });
    expect(sut.twilio.sendsTo(to)).toHaveLength(1);
  });

  it('should report failed as retryable after the last attempt when Twilio keeps answering 503', async () => {
    const to = '+5511987650005';
    const unavailable = { status: 503, body: twilioError(20503, 'Service Unavailable', 503) };
    sut.twilio.replyWith(unavailable, unavailable, unavailable, unavailable);

    const message = await sut.outbound({ to: { address: to } });

    expect(await sut.status(message.messageId, 'failed')).toMatchObject({
      error: { code: '20503', retryable: true },
    });
    expect(sut.twilio.sendsTo(to)).toHaveLength(4);
  });

  describe('attachments', () => {
    function blobId(name: string): string {
      return `test/${randomUUID()}/${name}`;
    }

    it('should call Twilio once with a MediaUrl per attachment under the public base URL when the event is delivered twice', async () => {
      const conversationId = `conversation-${randomUUID()}`;
      const to = '+5511987650010';
      const photo = await sut.putBlob({
        id: blobId('photo.jpg'),
        contentType: 'image/jpeg',
        bytes: Buffer.from('jpeg bytes'),
      });
      const invoice = await sut.putBlob({
        id: blobId('invoice.pdf'),
        contentType: 'application/pdf',
        bytes: Buffer.from('%PDF-1.7 invoice'),
        fileName: 'fatura.pdf',
      });
      const message = await sut.outbound({
        conversationId,
        to: { address: to },
        content: { text: 'Segue a segunda via' },
        attachments: [photo, invoice],
      });
      await sut.republish(message);
      await drain(conversationId);

      const sends = sut.twilio.sendsTo(to);
      expect(sends).toHaveLength(1);
      expect(sends[0]!.params['Body']).toBe('Segue a segunda via');
      expect(sends[0]!.mediaUrls).toHaveLength(2);
      for (const url of sends[0]!.mediaUrls) expect(url.startsWith(`${PUBLIC_BASE_URL}/media/`)).toBe(true);
      expect(new Set(sends[0]!.mediaUrls).size).toBe(2);
      expect(await sut.status(message.messageId, 'queued')).toMatchObject({ state: 'queued' });
      // The replayed status is keyed by this message, the sentinel of drain() by its own: another partition.
      await waitFor(() => sut.statesOf(message.messageId).length >= 2, {
        description: 'the replayed status',
      });
      expect(sut.statesOf(message.messageId)).toEqual(['queued', 'queued']);
    });

    it('should send media without a Body when the reply has no text', async () => {
      const to = '+5511987650011';
      const photo = await sut.putBlob({
        id: blobId('photo.png'),
        contentType: 'image/png',
        bytes: Buffer.from('png bytes'),
      });

      const message = await sut.outbound({ to: { address: to }, content: {}, attachments: [photo] });

      await sut.status(message.messageId, 'queued');
      const [send] = sut.twilio.sendsTo(to);
      expect(send?.params).not.toHaveProperty('Body');
      expect(send?.mediaUrls).toHaveLength(1);
    });

    it('should report failed with PONTE_ATTACHMENT_TOO_LARGE and not call Twilio, even on a replay, when an image is over 5 MB', async () => {
      const conversationId = `conversation-${randomUUID()}`;
      const to = '+5511987650012';
      const small = await sut.putBlob({
        id: blobId('small.jpg'),
        contentType: 'image/jpeg',
        bytes: Buffer.from('small'),
      });
      const large = await sut.putBlob({
        id: blobId('large.jpg'),
        contentType: 'image/jpeg',
        bytes: Buffer.alloc(5_000_001, 1),
      });

      const message = await sut.outbound({
        conversationId,
        to: { address: to },
        attachments: [small, large],
      });
      const failed = await sut.status(message.messageId, 'failed');
      await sut.republish(message);
      await drain(conversationId);

      expect(failed).toMatchObject({
        state: 'failed',
        error: {
          code: 'PONTE_ATTACHMENT_TOO_LARGE',
          message: 'attachment 2: MMS takes image/jpeg files up to 5000000 bytes, this one has 5000001',
          retryable: false,
        },
      });
      expect(sut.twilio.sendsTo(to)).toHaveLength(0);
      // The replayed status is keyed by this message, the sentinel of drain() by its own: another partition.
      await waitFor(() => sut.statesOf(message.messageId).length >= 2, {
        description: 'the replayed status',
      });
      expect(sut.statesOf(message.messageId)).toEqual(['failed', 'failed']);
      const ledger = await sut.db
        .collection('twilio_outbound_ledger')
        .findOne({ _id: message.messageId as never });
      expect(ledger).toMatchObject({ state: 'failed', error: { code: 'PONTE_ATTACHMENT_TOO_LARGE' } });
    });

    it('should report failed with PONTE_ATTACHMENT_MISSING and not call Twilio when a blob is not stored', async () => {
      const to = '+5511987650013';
      const missing = { blobId: blobId('gone.jpg'), contentType: 'image/jpeg', size: 10 };

      const message = await sut.outbound({ to: { address: to }, attachments: [missing] });

      expect(await sut.status(message.messageId, 'failed')).toMatchObject({
        error: { code: 'PONTE_ATTACHMENT_MISSING', retryable: false },
      });
      expect(sut.twilio.sendsTo(to)).toHaveLength(0);
    });
  });

  it('should not send again but report an uncertain failure when a replay finds a send that was in flight', async () => {
    const conversationId = `conversation-${randomUUID()}`;
    const messageId = randomUUID();
    // What a crash between "sending" and Twilio's answer leaves behind.
    await sut.db.collection('twilio_outbound_ledger').insertOne({
      _id: messageId as never,
      state: 'sending',
      attempts: 1,
      from: OUR_NUMBER,
      to: '+5511987650006',
      updatedAt: new Date(),
    });

    await sut.outbound({ messageId, conversationId, to: { address: '+5511987650006' } });

    expect(await sut.status(messageId, 'failed')).toMatchObject({ error: { code: 'PONTE_SEND_UNCERTAIN' } });
    expect(sut.twilio.sendsTo('+5511987650006')).toHaveLength(0);
  });
});
