import { mediaRefusalOf, missingAttachment, type OutboundMediaItem } from './twilio-media.limits';

function buildItem(overrides: Partial<OutboundMediaItem> = {}): OutboundMediaItem {
  return { contentType: 'image/jpeg', size: 100_000, ...overrides };
}

describe(mediaRefusalOf.name, () => {
  describe('MMS', () => {
    it('should accept ten images, one of them 5 MB, when the total stays within 5 MB', () => {
      const items = [
        buildItem({ size: 4_100_000 }),
        ...Array.from({ length: 9 }, () => buildItem({ contentType: 'image/png' })),
      ];

      expect(mediaRefusalOf('mms', items)).toBeUndefined();
    });

    it('should accept a type with parameters and in upper case when its media type is accepted', () => {
      expect(mediaRefusalOf('mms', [buildItem({ contentType: 'Audio/OGG; codecs=opus' })])).toBeUndefined();
    });

    it('should refuse with PONTE_ATTACHMENTS_TOO_MANY when there are 11 attachments', () => {
      const items = Array.from({ length: 11 }, () => buildItem({ size: 1_000 }));

      expect(mediaRefusalOf('mms', items)).toEqual({
        code: 'PONTE_ATTACHMENTS_TOO_MANY',
        message: '11 attachments: MMS takes at most 10 per message',
        retryable: false,
      });
    });

    it('should refuse with PONTE_ATTACHMENT_TOO_LARGE when an image is over 5 MB', () => {
      expect(mediaRefusalOf('mms', [buildItem(), buildItem({ size: 5_000_001 })])).toEqual({
        code: 'PONTE_ATTACHMENT_TOO_LARGE',
        message: 'attachment 2: MMS takes image/jpeg files up to 5000000 bytes, this one has 5000001',
        retryable: false,
      });
    });

    it('should accept an image of exactly 5 MB when it is alone', () => {
      expect(mediaRefusalOf('mms', [buildItem({ size: 5_000_000 })])).toBeUndefined();
    });

    it('should refuse with PONTE_ATTACHMENT_TOO_LARGE when a type Twilio passes through unchanged is over 500 KB', () => {
      expect(
        mediaRefusalOf('mms', [buildItem({ contentType: 'application/pdf', size: 500_001 })])?.code,
      ).toBe('PONTE_ATTACHMENT_TOO_LARGE');
      expect(
        mediaRefusalOf('mms', [buildItem({ contentType: 'application/pdf', size: 500_000 })]),
      ).toBeUndefined();
    });

    it('should refuse with PONTE_ATTACHMENTS_TOO_LARGE when every item fits but the total is over 5 MB', () => {
      const items = [buildItem({ size: 3_000_000 }), buildItem({ size: 2_000_001 })];

      expect(mediaRefusalOf('mms', items)).toEqual({
        code: 'PONTE_ATTACHMENTS_TOO_LARGE',
        message: 'the attachments have 5000001 bytes: MMS takes at most 5000000 per message',
        retryable: false,
      });
    });

    it.each(['application/zip', 'text/html', 'image/svg+xml', 'image/webp', 'application/octet-stream'])(
      'should refuse with PONTE_ATTACHMENT_TYPE_UNSUPPORTED when the type is %s',
      (contentType) => {
        expect(mediaRefusalOf('mms', [buildItem({ contentType, size: 10 })])).toEqual({
          code: 'PONTE_ATTACHMENT_TYPE_UNSUPPORTED',
          message: `attachment 1: MMS does not send ${contentType} files`,
          retryable: false,
        });
      },
    );
  });

  describe('WhatsApp through Twilio', () => {
    it('should accept one 16 MB video', () => {
      expect(
        mediaRefusalOf('whatsapp', [buildItem({ contentType: 'video/mp4', size: 16_000_000 })]),
      ).toBeUndefined();
    });

    it('should refuse with PONTE_ATTACHMENTS_TOO_MANY when there are two attachments, which Twilio would drop', () => {
      expect(mediaRefusalOf('whatsapp', [buildItem(), buildItem()])).toEqual({
        code: 'PONTE_ATTACHMENTS_TOO_MANY',
        message: '2 attachments: WhatsApp through Twilio takes at most 1 per message',
        retryable: false,
      });
    });

    it('should refuse with PONTE_ATTACHMENT_TOO_LARGE when an image is over 5 MB although a video may be 16 MB', () => {
      expect(mediaRefusalOf('whatsapp', [buildItem({ size: 5_000_001 })])?.code).toBe(
        'PONTE_ATTACHMENT_TOO_LARGE',
      );
    });

    it('should refuse with PONTE_ATTACHMENT_TOO_LARGE when a document is over 16 MB', () => {
      expect(
        mediaRefusalOf('whatsapp', [buildItem({ contentType: 'application/pdf', size: 16_000_001 })])?.code,
      ).toBe('PONTE_ATTACHMENT_TOO_LARGE');
    });

    it('should refuse with PONTE_ATTACHMENT_TYPE_UNSUPPORTED when the type is a GIF, which MMS would take', () => {
      expect(mediaRefusalOf('whatsapp', [buildItem({ contentType: 'image/gif' })])?.code).toBe(
        'PONTE_ATTACHMENT_TYPE_UNSUPPORTED',
      );
      expect(mediaRefusalOf('mms', [buildItem({ contentType: 'image/gif' })])).toBeUndefined();
    });
  });

  it('should accept no attachments on either channel', () => {
    expect(mediaRefusalOf('mms', [])).toBeUndefined();
    expect(mediaRefusalOf('whatsapp', [])).toBeUndefined();
  });
});

describe(missingAttachment.name, () => {
  it('should name the attachment by position and blob id', () => {
    expect(missingAttachment(1, 'blob/gone.jpg')).toEqual({
      code: 'PONTE_ATTACHMENT_MISSING',
      message: 'attachment 2 (blob/gone.jpg) is not in the blob store',
      retryable: false,
    });
  });
});
