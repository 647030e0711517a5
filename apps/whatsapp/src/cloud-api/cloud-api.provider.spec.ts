import { Logger } from '@nestjs/common';
import { type BlobMetadata, SendFailure } from '@ponte/channel-kit';
import type { AttachmentRef } from '@ponte/contracts';
import type { WhatsAppSendRequest } from '../provider/whatsapp-provider.port';
import type { CustomerWindowDocument } from '../window/customer-window.store';
import { CloudApiProvider, MAX_CAPTION_LENGTH, PARTLY_SENT, WINDOW_CLOSED } from './cloud-api.provider';
import type { GraphMediaUpload } from './graph-api.client';

const PHONE_NUMBER_ID = '106540352242922';
const NOW = new Date('2025-03-15T12:00:00.000Z');

beforeAll(() => {
  Logger.overrideLogger(false);
});

describe(CloudApiProvider.name, () => {
  let windows: Map<string, CustomerWindowDocument>;
  let blobs: Map<string, { metadata: BlobMetadata; bytes: Buffer }>;
  let sends: Array<{ phoneNumberId: string; body: Record<string, unknown> }>;
  let uploads: Array<{ phoneNumberId: string; media: GraphMediaUpload }>;
  /** What the next calls throw, in order (undefined: that one succeeds); afterwards they succeed. */
  let sendFailures: Array<Error | undefined>;
  let uploadFailures: Error[];
  let blobReads: number;
  let sut: CloudApiProvider;

  beforeEach(() => {
    windows = new Map();
    blobs = new Map();
    sends = [];
    uploads = [];
    sendFailures = [];
    uploadFailures = [];
    blobReads = 0;
    const graph = {
      sendMessage: async (phoneNumberId: string, body: Record<string, unknown>) => {
        sends.push({ phoneNumberId, body });
        const failure = sendFailures.shift();
        if (failure) throw failure;
        return {
          messaging_product: 'whatsapp',
          contacts: [{ input: String(body['to']), wa_id: String(body['to']) }],
          messages: [{ id: `wamid.${sends.length}` }],
        };
      },
      uploadMedia: async (phoneNumberId: string, media: GraphMediaUpload) => {
        uploads.push({ phoneNumberId, media });
        const failure = uploadFailures.shift();
        if (failure) throw failure;
        return `media-${uploads.length}`;
      },
    };
    sut = new CloudApiProvider(
      graph,
      { get: async (phoneNumberId, phone) => windows.get(`${phoneNumberId}:${phone}`) ?? null },
      {
        metadata: async (id) => blobs.get(id)?.metadata ?? null,
        read: async (id) => {
          blobReads += 1;
          return blobs.get(id) ?? null;
        },
      },
      {
        phoneNumberIds: [PHONE_NUMBER_ID],
        partRetry: { maxAttempts: 3, initialBackoffMs: 1, maxBackoffMs: 2 },
        now: () => NOW,
      },
    );
  });

  function customerWrote(at: Date, waId = '551187654321'): void {
    windows.set(`${PHONE_NUMBER_ID}:+5511987654321`, {
      _id: `${PHONE_NUMBER_ID}:+5511987654321`,
      phoneNumberId: PHONE_NUMBER_ID,
      waId,
      lastInboundAt: at,
      updatedAt: at,
    });
  }

  /** Stores a blob; its reference claims a tiny JPEG whatever the blob is, so only the stored one can be judged. */
  function storeBlob(
    id: string,
    contentType: string,
    size: number,
    fileName?: string,
  ): { attachment: AttachmentRef; bytes: Buffer } {
    const bytes = Buffer.alloc(size, 7);
    blobs.set(id, {
      metadata: { id, contentType, size, createdAt: NOW, ...(fileName ? { fileName } : {}) },
      bytes,
    });
    return { attachment: { blobId: id, contentType: 'image/jpeg', size: 10 }, bytes };
  }

  function request(overrides: Partial<WhatsAppSendRequest> = {}): WhatsAppSendRequest {
    return {
      messageId: 'reply-1',
      conversationId: 'conversation-1',
      tenantId: 'tenant-acme',
      channelAccountId: PHONE_NUMBER_ID,
      to: '+5511987654321',
      text: 'Prontinho!',
      ...overrides,
    };
  }

  it('should handle only its configured phone number ids', () => {
    expect(sut.handles(PHONE_NUMBER_ID)).toBe(true);
    expect(sut.handles('whatsapp:+14155238886')).toBe(false);
  });

  describe('check', () => {
    beforeEach(() => customerWrote(new Date(NOW.getTime() - 60_000)));

    it('should allow free text when the customer wrote less than 24 hours ago', async () => {
      customerWrote(new Date('2025-03-14T12:00:01.000Z'));

      expect(await sut.check(request())).toBeUndefined();
    });

    it('should refuse free text with PONTE_WHATSAPP_WINDOW_CLOSED when the customer wrote 24 hours ago', async () => {
      customerWrote(new Date('2025-03-14T12:00:00.000Z'));

      expect(await sut.check(request())).toEqual({
        code: WINDOW_CLOSED,
        message:
          "Outside WhatsApp's 24-hour customer service window (the customer last wrote at 2025-03-14T12:00:00.000Z): only an approved template can be sent",
        retryable: false,
      });
    });

    it('should refuse a file like text when the window is closed', async () => {
      customerWrote(new Date('2025-03-14T11:00:00.000Z'));
      const photo = storeBlob('blob/photo', 'image/jpeg', 1_000);

      expect(await sut.check(request({ text: undefined, attachments: [photo.attachment] }))).toMatchObject({
        code: WINDOW_CLOSED,
      });
    });

    it('should allow a template whenever', async () => {
      windows.clear();

      expect(
        await sut.check(request({ text: undefined, template: { name: 'hello', languageCode: 'pt_BR' } })),
      ).toBeUndefined();
    });

    it('should refuse a template with an attachment, header media being out of scope', async () => {
      const photo = storeBlob('blob/photo', 'image/jpeg', 1_000);

      expect(
        await sut.check(
          request({ template: { name: 'hello', languageCode: 'pt_BR' }, attachments: [photo.attachment] }),
        ),
      ).toMatchObject({ code: 'PONTE_ATTACHMENTS_UNSUPPORTED', retryable: false });
    });

    it('should allow a file without text when it is within the limits', async () => {
      const invoice = storeBlob('blob/invoice', 'application/pdf', 2_000, 'fatura.pdf');

      expect(
        await sut.check(request({ text: undefined, attachments: [invoice.attachment] })),
      ).toBeUndefined();
    });

    it('should refuse with PONTE_EMPTY_MESSAGE when there is neither text, file nor template', async () => {
      expect(await sut.check(request({ text: undefined }))).toMatchObject({ code: 'PONTE_EMPTY_MESSAGE' });
    });

    it('should refuse with PONTE_ATTACHMENTS_TOO_MANY when there are two files, without reading the store', async () => {
      const attachments = [
        { blobId: 'blob/a', contentType: 'image/jpeg', size: 10 },
        { blobId: 'blob/b', contentType: 'image/jpeg', size: 10 },
      ];

      expect(await sut.check(request({ attachments }))).toMatchObject({
        code: 'PONTE_ATTACHMENTS_TOO_MANY',
        retryable: false,
      });
    });

    it('should refuse with PONTE_ATTACHMENT_MISSING when the blob is not stored', async () => {
      const attachments = [{ blobId: 'blob/gone', contentType: 'image/jpeg', size: 10 }];

      expect(await sut.check(request({ attachments }))).toEqual({
        code: 'PONTE_ATTACHMENT_MISSING',
        message: 'attachment 1 (blob/gone) is not in the blob store',
        retryable: false,
      });
    });

    it('should judge the stored blob, not what the message claims, when they differ', async () => {
      // The reference claims a 10-byte JPEG; the store holds a 20 MB video.
      const video = storeBlob('blob/video', 'video/mp4', 16_000_001);

      expect(await sut.check(request({ attachments: [video.attachment] }))).toMatchObject({
        code: 'PONTE_ATTACHMENT_TOO_LARGE',
        message: expect.stringContaining('video files (video/mp4) up to 16000000 bytes'),
      });
    });

    it('should refuse with PONTE_ATTACHMENT_TYPE_UNSUPPORTED when the stored blob has no usable type', async () => {
      const blob = storeBlob('blob/odd', 'bytes', 100);

      expect(await sut.check(request({ attachments: [blob.attachment] }))).toMatchObject({
        code: 'PONTE_ATTACHMENT_TYPE_UNSUPPORTED',
      });
    });

    it('should refuse a linked id (@lid), which the Cloud API cannot send to', async () => {
      expect(await sut.check(request({ to: '123456789012345@lid' }))).toMatchObject({
        code: 'PONTE_UNSUPPORTED_ADDRESS',
      });
    });
  });

  describe('send', () => {
    beforeEach(() => customerWrote(new Date('2025-03-15T11:00:00.000Z')));

    it("should send to the customer's wa_id as Meta wrote it, not the E.164 the router completed", async () => {
      const accepted = await sut.send(request());

      expect(accepted).toEqual({ externalId: 'wamid.1', state: 'queued', recipientId: '551187654321' });
      expect(sends[0]?.body).toMatchObject({
        to: '551187654321',
        type: 'text',
        text: { body: 'Prontinho!' },
      });
      expect(uploads).toHaveLength(0);
    });

    it('should upload the stored bytes and send the image by media id with the text as caption', async () => {
      const photo = storeBlob('blob/photo', 'image/png', 3_000, 'print.png');

      const accepted = await sut.send(
        request({ attachments: [photo.attachment], replyToExternalId: 'wamid.quoted' }),
      );

      expect(uploads).toEqual([
        {
          phoneNumberId: PHONE_NUMBER_ID,
          media: { bytes: photo.bytes, mediaType: 'image/png', fileName: 'print.png' },
        },
      ]);
      expect(sends).toHaveLength(1);
      expect(sends[0]?.body).toEqual({
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: '551187654321',
        type: 'image',
        image: { id: 'media-1', caption: 'Prontinho!' },
        context: { message_id: 'wamid.quoted' },
        biz_opaque_callback_data: expect.any(String),
      });
      expect(accepted).toEqual({ externalId: 'wamid.1', state: 'queued', recipientId: '551187654321' });
    });

    it("should keep a document's file name, the reference's before the blob's", async () => {
      const invoice = storeBlob('blob/invoice', 'application/pdf', 2_000, 'blob-name.pdf');

      await sut.send(request({ attachments: [{ ...invoice.attachment, fileName: 'fatura-março.pdf' }] }));

      expect(uploads[0]?.media.fileName).toBe('fatura-março.pdf');
      expect(sends[0]?.body).toMatchObject({
        type: 'document',
        document: { id: 'media-1', caption: 'Prontinho!', filename: 'fatura-março.pdf' },
      });
    });

    it('should send a file without text without a caption', async () => {
      const clip = storeBlob('blob/clip', 'video/mp4', 5_000);

      await sut.send(request({ text: undefined, attachments: [clip.attachment] }));

      expect(sends.map((send) => send.body['video'])).toEqual([{ id: 'media-1' }]);
    });

    it('should send the text first and then the audio, which takes no caption', async () => {
      const voice = storeBlob('blob/voice', 'audio/ogg', 4_000);

      const accepted = await sut.send(
        request({ attachments: [voice.attachment], replyToExternalId: 'wamid.quoted' }),
      );

      expect(sends.map((send) => send.body)).toEqual([
        {
          messaging_product: 'whatsapp',
          recipient_type: 'individual',
          to: '551187654321',
          type: 'text',
          text: { preview_url: false, body: 'Prontinho!' },
          context: { message_id: 'wamid.quoted' },
        },
        {
          messaging_product: 'whatsapp',
          recipient_type: 'individual',
          to: '551187654321',
          type: 'audio',
          audio: { id: 'media-1' },
          biz_opaque_callback_data: expect.any(String),
        },
      ]);
      expect(accepted).toMatchObject({ externalId: 'wamid.2', textExternalId: 'wamid.1' });
    });

    it('should send a sticker after its text too', async () => {
      const sticker = storeBlob('blob/sticker', 'image/webp', 30_000);

      await sut.send(request({ attachments: [sticker.attachment] }));

      expect(sends.map((send) => send.body['type'])).toEqual(['text', 'sticker']);
    });

    it('should send a text longer than a caption apart, before the image', async () => {
      const photo = storeBlob('blob/photo', 'image/jpeg', 3_000);
      const text = 'a'.repeat(MAX_CAPTION_LENGTH + 1);

      await sut.send(request({ text, attachments: [photo.attachment] }));

      expect(sends.map((send) => send.body)).toEqual([
        expect.objectContaining({ type: 'text', text: { preview_url: false, body: text } }),
        expect.objectContaining({ type: 'image', image: { id: 'media-1' } }),
      ]);
    });

    it('should keep a caption of exactly the caption limit on the image', async () => {
      const photo = storeBlob('blob/photo', 'image/jpeg', 3_000);
      const text = 'a'.repeat(MAX_CAPTION_LENGTH);

      await sut.send(request({ text, attachments: [photo.attachment] }));

      expect(sends.map((send) => send.body)).toEqual([
        expect.objectContaining({ type: 'image', image: { id: 'media-1', caption: text } }),
      ]);
    });

    it('should let the sender retry, with nothing sent, when the upload is refused for now', async () => {
      const photo = storeBlob('blob/photo', 'image/jpeg', 3_000);
      uploadFailures.push(new SendFailure('retryable', 'HTTP_500', 'Graph failed', 500));

      await expect(sut.send(request({ attachments: [photo.attachment] }))).rejects.toMatchObject({
        kind: 'retryable',
        code: 'HTTP_500',
      });
      expect(sends).toHaveLength(0);
    });

    it("should fail for good with Meta's code, with nothing sent, when the upload is refused", async () => {
      const voice = storeBlob('blob/voice', 'audio/ogg', 4_000);
      uploadFailures.push(new SendFailure('permanent', '131053', 'Media upload error', 400));

      await expect(sut.send(request({ attachments: [voice.attachment] }))).rejects.toMatchObject({
        kind: 'permanent',
        code: '131053',
      });
      expect(sends).toHaveLength(0);
    });

    it('should fail with PONTE_ATTACHMENT_MISSING, with nothing uploaded, when the blob vanished after the check', async () => {
      const attachments = [{ blobId: 'blob/gone', contentType: 'image/jpeg', size: 10 }];

      await expect(sut.send(request({ attachments }))).rejects.toMatchObject({
        kind: 'permanent',
        code: 'PONTE_ATTACHMENT_MISSING',
      });
      expect(uploads).toHaveLength(0);
      expect(blobReads).toBe(1);
    });

    it('should retry only the audio, never the text, when Graph throttles it after its text went out', async () => {
      const voice = storeBlob('blob/voice', 'audio/ogg', 4_000);
      sendFailures.push(
        undefined,
        new SendFailure('retryable', '130429', 'Cloud API throughput reached', 400),
      );

      const accepted = await sut.send(request({ attachments: [voice.attachment] }));

      expect(sends.map((send) => send.body['type'])).toEqual(['text', 'audio', 'audio']);
      expect(uploads).toHaveLength(1);
      expect(accepted).toMatchObject({ externalId: 'wamid.3', textExternalId: 'wamid.1' });
    });

    it('should fail for good with PONTE_WHATSAPP_PARTLY_SENT when the audio stays refused after its text went out', async () => {
      const voice = storeBlob('blob/voice', 'audio/ogg', 4_000);
      const throttled = (): SendFailure =>
        new SendFailure('retryable', '130429', 'Cloud API throughput reached', 400);
      sendFailures.push(undefined, throttled(), throttled(), throttled());

      const failure = await sut.send(request({ attachments: [voice.attachment] })).catch((error) => error);

      expect(failure).toMatchObject({
        kind: 'permanent',
        code: PARTLY_SENT,
        message:
          'Only the text went out (wamid.1); the audio was refused: Cloud API throughput reached (130429)',
      });
      expect(sends.map((send) => send.body['type'])).toEqual(['text', 'audio', 'audio', 'audio']);
    });

    it('should report uncertain, without another try, when the answer for the audio is lost after its text went out', async () => {
      const voice = storeBlob('blob/voice', 'audio/ogg', 4_000);
      sendFailures.push(
        undefined,
        new SendFailure('uncertain', 'PONTE_SEND_UNCERTAIN', "Graph's answer was lost (ECONNRESET)"),
      );

      const failure = await sut.send(request({ attachments: [voice.attachment] })).catch((error) => error);

      expect(failure).toMatchObject({
        kind: 'uncertain',
        code: 'PONTE_SEND_UNCERTAIN',
        message: expect.stringMatching(/^The text went out \(wamid\.1\)/),
      });
      expect(sends).toHaveLength(2);
    });

    it('should let the sender retry everything when the text before the audio is refused for now', async () => {
      const voice = storeBlob('blob/voice', 'audio/ogg', 4_000);
      sendFailures.push(new SendFailure('retryable', '130429', 'Cloud API throughput reached', 400));

      await expect(sut.send(request({ attachments: [voice.attachment] }))).rejects.toMatchObject({
        kind: 'retryable',
      });
      expect(sends.map((send) => send.body['type'])).toEqual(['text']);
    });
  });
});
