import { BlobStore } from '@ponte/channel-kit';
import { type AttachmentRef, createEnvelope, Topics } from '@ponte/contracts';
import { randomBytes, randomUUID } from 'node:crypto';
import { decodeCallbackData } from '../cloud-api/cloud-callback-data';
import { PARTLY_SENT, WINDOW_CLOSED } from '../cloud-api/cloud-api.provider';
import { graphError } from '../testing/fake-graph.server';
import { metaWebhook, PHONE_NUMBER_ID, textMessage, unixSeconds } from '../testing/meta-webhook.payloads';
import { GRAPH_VERSION, TENANT, WhatsappHarness } from '../testing/whatsapp.harness';
import { OutboundSenderService, type WhatsAppOutboundMessage } from './outbound-sender.service';

describe(OutboundSenderService.name, () => {
  let sut: WhatsappHarness;

  beforeAll(async () => {
    sut = await WhatsappHarness.start();
  });

  afterAll(async () => {
    await sut?.stop();
  });

  /** The customer writes to us (opening the 24-hour window), at `sentAt` by Meta's clock. */
  async function customerWrites(waId: string, sentAt = new Date()): Promise<string> {
    const message = textMessage(waId, 'Oi, preciso de ajuda', { timestamp: unixSeconds(sentAt) });
    expect((await sut.webhook(metaWebhook({ messages: [message] }))).status).toBe(200);
    await sut.inboundMessage(message.id);
    return message.id;
  }

  /** Another message of the same conversation, and its status: one partition, so everything before it is done. */
  async function drain(conversationId: string): Promise<void> {
    const sentinel = await sut.outbound({ conversationId, channelAccountId: '999999999999999' });
    await sut.status(sentinel.messageId, 'failed');
  }

  it('should call Graph once and report queued with the wamid when the outbound event is delivered twice', async () => {
    // A Brazilian customer whose WhatsApp id predates the 9th digit; the router sends to the canonical E.164.
    const quoted = await customerWrites('551187650001');
    const message = await sut.outbound({
      to: { address: '+5511987650001' },
      content: { text: 'Sua conta foi desbloqueada' },
      replyToExternalId: quoted,
    });
    await sut.republish(message);
    await drain(message.conversationId);

    const sends = sut.graph.sendsTo('551187650001');
    expect(sends).toHaveLength(1);
    expect(sends[0]).toMatchObject({
      version: GRAPH_VERSION,
      phoneNumberId: PHONE_NUMBER_ID,
      authorized: true,
    });
    expect(sends[0]!.body).toMatchObject({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '551187650001',
      type: 'text',
      text: { preview_url: false, body: 'Sua conta foi desbloqueada' },
      context: { message_id: quoted },
    });
    expect(decodeCallbackData(sends[0]!.body['biz_opaque_callback_data'] as string)).toEqual({
      messageId: message.messageId,
      conversationId: message.conversationId,
      tenantId: TENANT,
    });
    const queued = await sut.status(message.messageId, 'queued');
    expect(queued.externalId).toMatch(/^wamid\./);
    expect(sut.statesOf(message.messageId)).toEqual(['queued', 'queued']);
    expect(
      await sut.db.collection('whatsapp_outbound_ledger').findOne({ _id: message.messageId as never }),
    ).toMatchObject({ state: 'sent', attempts: 1, externalId: queued.externalId, provider: 'cloud-api' });
    expect(
      await sut.db.collection('whatsapp_sent_messages').findOne({ _id: queued.externalId as never }),
    ).toMatchObject({
      messageId: message.messageId,
      conversationId: message.conversationId,
      tenantId: TENANT,
    });
  });

  it('should retry and send once when Graph answers 429 first', async () => {
    await customerWrites('5511987650002');
    sut.graph.replyWith({
      status: 429,
      body: graphError(
        130429,
        '(#130429) Rate limit hit',
        'OAuthException',
        undefined,
        'Cloud API message throughput has been reached.',
      ),
    });

    const message = await sut.outbound({ to: { address: '+5511987650002' } });

    expect(await sut.status(message.messageId, 'queued')).toMatchObject({
      externalId: expect.stringMatching(/^wamid\./),
    });
    expect(sut.graph.sendsTo('5511987650002')).toHaveLength(2);
    expect(
      await sut.db.collection('whatsapp_outbound_ledger').findOne({ _id: message.messageId as never }),
    ).toMatchObject({ state: 'sent', attempts: 2 });
    await drain(message.conversationId);
    expect(sut.statesOf(message.messageId)).toEqual(['queued']);
  });

  it("should report failed with Meta's code, without retrying, when Graph refuses the message for good (131026)", async () => {
    await customerWrites('5511987650003');
    sut.graph.replyWith({
      status: 400,
      body: graphError(
        131026,
        '(#131026) Message undeliverable',
        'OAuthException',
        2494010,
        'Message Undeliverable.',
      ),
    });

    const message = await sut.outbound({ to: { address: '+5511987650003' } });

    expect(await sut.status(message.messageId, 'failed')).toMatchObject({
      channel: 'whatsapp',
      channelAccountId: PHONE_NUMBER_ID,
      error: { code: '131026', retryable: false, message: expect.stringMatching(/^Message undeliverable/) },
    });
    expect(sut.graph.sendsTo('5511987650003')).toHaveLength(1);
  });

  it('should refuse free text without calling Graph when the customer never wrote to this number', async () => {
    const message = await sut.outbound({ to: { address: '+5511987650004' } });

    expect(await sut.status(message.messageId, 'failed')).toMatchObject({
      error: {
        code: WINDOW_CLOSED,
        retryable: false,
        message: expect.stringMatching(
          /24-hour customer service window .*never written.*only an approved template/,
        ),
      },
    });
    expect(sut.graph.sendsTo('5511987650004')).toHaveLength(0);
  });

  it('should refuse free text without calling Graph when the customer last wrote more than 24 hours ago', async () => {
    const lastWrote = new Date(Date.now() - 25 * 60 * 60 * 1000);
    await customerWrites('5511987650005', lastWrote);

    const message = await sut.outbound({ to: { address: '+5511987650005' } });

    const status = await sut.status(message.messageId, 'failed');
    expect(status.error).toMatchObject({ code: WINDOW_CLOSED, retryable: false });
    expect(status.error?.message).toContain(
      new Date(Math.floor(lastWrote.getTime() / 1000) * 1000).toISOString(),
    );
    expect(sut.graph.sendsTo('5511987650005')).toHaveLength(0);
  });

  it('should send an approved template when the window is closed', async () => {
    // The contract cannot carry a template yet, so the event is handed to the sender as the consumer would.
    const message: WhatsAppOutboundMessage = {
      messageId: randomUUID(),
      conversationId: `conversation-${randomUUID()}`,
      channel: 'whatsapp',
      channelAccountId: PHONE_NUMBER_ID,
      to: { address: '+5511987650006' },
      content: {},
      template: { name: 'retomar_atendimento', languageCode: 'pt_BR', bodyParameters: ['João'] },
    };
    const envelope = createEnvelope(Topics.outbound.whatsapp, message, {
      source: '/ponte/router',
      tenantId: TENANT,
    });

    expect(await sut.app.get(OutboundSenderService).handle(envelope)).toBe('sent');

    const sends = sut.graph.sendsTo('5511987650006');
    expect(sends).toHaveLength(1);
    expect(sends[0]!.body).toMatchObject({
      type: 'template',
      template: {
        name: 'retomar_atendimento',
        language: { code: 'pt_BR' },
        components: [{ type: 'body', parameters: [{ type: 'text', text: 'João' }] }],
      },
    });
    expect(await sut.status(message.messageId, 'queued')).toMatchObject({
      externalId: expect.stringMatching(/^wamid\./),
    });
  });

  it('should leave WhatsApp-through-Twilio accounts to apps/sms', async () => {
    const message = await sut.outbound({
      channelAccountId: 'whatsapp:+14155238886',
      to: { address: '+5511987650007' },
    });
    await drain(message.conversationId);

    expect(sut.statesOf(message.messageId)).toEqual([]);
    expect(sut.graph.sendsTo('5511987650007')).toHaveLength(0);
  });

  it('should not send again but report an uncertain failure when a replay finds a send that was in flight', async () => {
    await customerWrites('5511987650008');
    const messageId = randomUUID();
    // What a crash between "sending" and Meta's answer leaves behind.
    await sut.db.collection('whatsapp_outbound_ledger').insertOne({
      _id: messageId as never,
      state: 'sending',
      provider: 'cloud-api',
      attempts: 1,
      from: PHONE_NUMBER_ID,
      to: '+5511987650008',
      updatedAt: new Date(),
    });

    await sut.outbound({ messageId, to: { address: '+5511987650008' } });

    expect(await sut.status(messageId, 'failed')).toMatchObject({ error: { code: 'PONTE_SEND_UNCERTAIN' } });
    expect(sut.graph.sendsTo('5511987650008')).toHaveLength(0);
  });

  describe('media (Cloud API)', () => {
    /** Stores a file as the gateway does and returns its reference. */
    async function storeFile(
      contentType: string,
      bytes: Buffer,
      fileName?: string,
    ): Promise<{ attachment: AttachmentRef; bytes: Buffer }> {
      const blobId = `gateway/attachments/${randomUUID()}`;
      const stored = await sut.app.get(BlobStore).put({
        id: blobId,
        contentType,
        bytes,
        ...(fileName ? { fileName } : {}),
      });
      return {
        attachment: {
          blobId,
          contentType: stored.contentType,
          size: stored.size,
          ...(fileName ? { fileName } : {}),
        },
        bytes,
      };
    }

    function ledgerOf(messageId: string): Promise<unknown> {
      return sut.db.collection('whatsapp_outbound_ledger').findOne({ _id: messageId as never });
    }

    it('should upload the image once, with its bytes and type, and send it by media id with the reply as caption', async () => {
      await customerWrites('5511987651001');
      const photo = await storeFile('image/jpeg', randomBytes(200 * 1024), 'comprovante.jpg');

      const message = await sut.outbound({
        to: { address: '+5511987651001' },
        content: { text: 'Segue o comprovante' },
        attachments: [photo.attachment],
      });

      const queued = await sut.status(message.messageId, 'queued');
      const uploads = sut.graph.uploadsOf(photo.bytes);
      expect(uploads).toHaveLength(1);
      expect(uploads[0]).toMatchObject({
        version: GRAPH_VERSION,
        phoneNumberId: PHONE_NUMBER_ID,
        authorized: true,
        fields: { messaging_product: 'whatsapp', type: 'image/jpeg' },
        file: { fileName: 'comprovante.jpg', contentType: 'image/jpeg' },
        status: 200,
      });
      const sends = sut.graph.sendsTo('5511987651001');
      expect(sends).toHaveLength(1);
      expect(sends[0]!.body).toMatchObject({
        messaging_product: 'whatsapp',
        to: '5511987651001',
        type: 'image',
        image: { id: uploads[0]!.mediaId, caption: 'Segue o comprovante' },
      });
      expect(sends[0]!.body['image']).toEqual({ id: uploads[0]!.mediaId, caption: 'Segue o comprovante' });
      expect(queued.externalId).toMatch(/^wamid\./);
      expect(
        await sut.db.collection('whatsapp_sent_messages').findOne({ _id: queued.externalId as never }),
      ).toMatchObject({ messageId: message.messageId });
    });

    it('should still have uploaded once and sent once when the outbound event with a file is delivered again', async () => {
      await customerWrites('5511987651002');
      const photo = await storeFile('image/png', randomBytes(10 * 1024));
      const message = await sut.outbound({
        to: { address: '+5511987651002' },
        content: { text: 'Olha só' },
        attachments: [photo.attachment],
      });
      await sut.status(message.messageId, 'queued');

      await sut.republish(message);
      await drain(message.conversationId);

      expect(sut.graph.uploadsOf(photo.bytes)).toHaveLength(1);
      expect(sut.graph.sendsTo('5511987651002')).toHaveLength(1);
      expect(sut.statesOf(message.messageId)).toEqual(['queued', 'queued']);
    });

    it('should keep the file name of a document, in the upload and in the message', async () => {
      await customerWrites('5511987651003');
      const invoice = await storeFile('application/pdf', randomBytes(30 * 1024), 'fatura-março.pdf');

      const message = await sut.outbound({
        to: { address: '+5511987651003' },
        content: { text: 'Sua fatura' },
        attachments: [invoice.attachment],
      });

      await sut.status(message.messageId, 'queued');
      const [upload] = sut.graph.uploadsOf(invoice.bytes);
      expect(upload).toMatchObject({
        fields: { type: 'application/pdf' },
        file: { fileName: 'fatura-março.pdf' },
      });
      expect(sut.graph.sendsTo('5511987651003')[0]!.body['document']).toEqual({
        id: upload!.mediaId,
        caption: 'Sua fatura',
        filename: 'fatura-março.pdf',
      });
    });

    it('should send the text first and the audio after it, attributing the message to the audio', async () => {
      await customerWrites('5511987651004');
      const voice = await storeFile('audio/ogg', randomBytes(20 * 1024));

      const message = await sut.outbound({
        to: { address: '+5511987651004' },
        content: { text: 'Ouça as instruções' },
        attachments: [voice.attachment],
      });

      const queued = await sut.status(message.messageId, 'queued');
      const [upload] = sut.graph.uploadsOf(voice.bytes);
      const sends = sut.graph.sendsTo('5511987651004');
      expect(sends.map((send) => send.body['type'])).toEqual(['text', 'audio']);
      expect(sends[0]!.body).toMatchObject({ text: { body: 'Ouça as instruções' } });
      expect(sends[0]!.body['biz_opaque_callback_data']).toBeUndefined();
      expect(sends[1]!.body['audio']).toEqual({ id: upload!.mediaId });
      expect(decodeCallbackData(sends[1]!.body['biz_opaque_callback_data'] as string)).toMatchObject({
        messageId: message.messageId,
      });
      expect(await ledgerOf(message.messageId)).toMatchObject({
        state: 'sent',
        attempts: 1,
        externalId: queued.externalId,
      });
    });

    it('should report failed with PONTE_WHATSAPP_PARTLY_SENT, the text never sent again, when Graph refuses the audio after its text', async () => {
      await customerWrites('5511987651005');
      const voice = await storeFile('audio/mpeg', randomBytes(20 * 1024));
      sut.graph.replyWith(
        {
          status: 200,
          body: { messaging_product: 'whatsapp', contacts: [], messages: [{ id: 'wamid.TEXT1005' }] },
        },
        { status: 400, body: graphError(131053, '(#131053) Media upload error') },
      );

      const message = await sut.outbound({
        to: { address: '+5511987651005' },
        content: { text: 'Ouça' },
        attachments: [voice.attachment],
      });

      expect(await sut.status(message.messageId, 'failed')).toMatchObject({
        error: {
          code: PARTLY_SENT,
          retryable: false,
          message: expect.stringMatching(
            /^Only the text went out \(wamid\.TEXT1005\); the audio was refused/,
          ),
        },
      });
      expect(sut.graph.sendsTo('5511987651005').map((send) => send.body['type'])).toEqual(['text', 'audio']);
    });

    it('should report failed with PONTE_ATTACHMENT_TOO_LARGE and upload nothing when the stored video is 20 MB', async () => {
      await customerWrites('5511987651006');
      const video = await storeFile('video/mp4', Buffer.alloc(20_000_000, 1), 'tutorial.mp4');
      const uploadsBefore = sut.graph.uploads.length;

      // The reference understates the size: the stored blob is what counts.
      const message = await sut.outbound({
        to: { address: '+5511987651006' },
        content: { text: 'Veja o tutorial' },
        attachments: [{ ...video.attachment, size: 1_000 }],
      });

      expect(await sut.status(message.messageId, 'failed')).toMatchObject({
        error: {
          code: 'PONTE_ATTACHMENT_TOO_LARGE',
          retryable: false,
          message:
            'attachment 1: WhatsApp sends video files (video/mp4) up to 16000000 bytes, this one (tutorial.mp4) has 20000000',
        },
      });
      await drain(message.conversationId);
      expect(sut.graph.uploads.length).toBe(uploadsBefore);
      expect(sut.graph.sendsTo('5511987651006')).toHaveLength(0);
    });

    it('should report failed with PONTE_ATTACHMENTS_TOO_MANY and call Graph for nothing when there are two files', async () => {
      await customerWrites('5511987651007');
      const first = await storeFile('image/jpeg', randomBytes(1024));
      const second = await storeFile('application/pdf', randomBytes(1024), 'b.pdf');
      const uploadsBefore = sut.graph.uploads.length;

      const message = await sut.outbound({
        to: { address: '+5511987651007' },
        attachments: [first.attachment, second.attachment],
      });

      expect(await sut.status(message.messageId, 'failed')).toMatchObject({
        error: { code: 'PONTE_ATTACHMENTS_TOO_MANY', retryable: false },
      });
      await drain(message.conversationId);
      expect(sut.graph.uploads.length).toBe(uploadsBefore);
      expect(sut.graph.sendsTo('5511987651007')).toHaveLength(0);
    });

    it('should report failed with PONTE_ATTACHMENT_MISSING when the blob is not in the store', async () => {
      await customerWrites('5511987651008');

      const message = await sut.outbound({
        to: { address: '+5511987651008' },
        attachments: [{ blobId: `gateway/attachments/${randomUUID()}`, contentType: 'image/jpeg', size: 10 }],
      });

      expect(await sut.status(message.messageId, 'failed')).toMatchObject({
        error: { code: 'PONTE_ATTACHMENT_MISSING', retryable: false },
      });
      expect(sut.graph.sendsTo('5511987651008')).toHaveLength(0);
    });

    it('should upload again and send once when Graph answers the first upload 500', async () => {
      await customerWrites('5511987651009');
      const photo = await storeFile('image/jpeg', randomBytes(50 * 1024));
      sut.graph.replyToUploadsWith({ status: 500, body: graphError(1, 'An unknown error occurred') });

      const message = await sut.outbound({
        to: { address: '+5511987651009' },
        content: { text: 'Segue' },
        attachments: [photo.attachment],
      });

      await sut.status(message.messageId, 'queued');
      const uploads = sut.graph.uploadsOf(photo.bytes);
      expect(uploads.map((upload) => upload.status)).toEqual([500, 200]);
      const sends = sut.graph.sendsTo('5511987651009');
      expect(sends).toHaveLength(1);
      expect(sends[0]!.body['image']).toEqual({ id: uploads[1]!.mediaId, caption: 'Segue' });
      expect(await ledgerOf(message.messageId)).toMatchObject({ state: 'sent', attempts: 2 });
      await drain(message.conversationId);
      expect(sut.statesOf(message.messageId)).toEqual(['queued']);
    });

    it("should report failed with Meta's code, not retrying, when Graph refuses the upload (4xx)", async () => {
      await customerWrites('5511987651010');
      const photo = await storeFile('image/png', randomBytes(1024));
      sut.graph.replyToUploadsWith({
        status: 400,
        body: graphError(131053, '(#131053) Media upload error', 'OAuthException', undefined, 'corrupt file'),
      });

      const message = await sut.outbound({
        to: { address: '+5511987651010' },
        attachments: [photo.attachment],
      });

      expect(await sut.status(message.messageId, 'failed')).toMatchObject({
        error: { code: '131053', retryable: false },
      });
      expect(sut.graph.uploadsOf(photo.bytes)).toHaveLength(1);
      expect(sut.graph.sendsTo('5511987651010')).toHaveLength(0);
    });

    it('should refuse a file like text, uploading nothing, when the customer never wrote to this number', async () => {
      const photo = await storeFile('image/jpeg', randomBytes(1024));

      const message = await sut.outbound({
        to: { address: '+5511987651011' },
        attachments: [photo.attachment],
      });

      expect(await sut.status(message.messageId, 'failed')).toMatchObject({ error: { code: WINDOW_CLOSED } });
      expect(sut.graph.uploadsOf(photo.bytes)).toHaveLength(0);
    });
  });
});
