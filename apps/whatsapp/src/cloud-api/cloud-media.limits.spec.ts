import { CHANNEL_CAPABILITIES } from '@ponte/contracts';
import {
  cloudMediaOf,
  mediaRefusalOf,
  missingAttachment,
  type OutboundMediaItem,
} from './cloud-media.limits';

const LIMITS = CHANNEL_CAPABILITIES.whatsapp.media;

function buildItem(overrides: Partial<OutboundMediaItem> = {}): OutboundMediaItem {
  return { contentType: 'image/jpeg', size: 100_000, ...overrides };
}

describe(mediaRefusalOf.name, () => {
  it('should accept one image when it is within the image limit', () => {
    expect(mediaRefusalOf([buildItem()])).toBeUndefined();
  });

  it('should accept no attachment at all', () => {
    expect(mediaRefusalOf([])).toBeUndefined();
  });

  it('should refuse with PONTE_ATTACHMENTS_TOO_MANY when there are two attachments', () => {
    expect(mediaRefusalOf([buildItem(), buildItem({ contentType: 'application/pdf' })])).toEqual({
      code: 'PONTE_ATTACHMENTS_TOO_MANY',
      message: '2 attachments: WhatsApp sends at most 1 per message; send them one by one',
      retryable: false,
    });
  });

  it.each([
    ['an image', 'image/png', LIMITS.image!.maxBytes],
    ['an audio', 'audio/ogg; codecs=opus', LIMITS.audio!.maxBytes],
    ['a video', 'video/mp4', LIMITS.video!.maxBytes],
    ['a document', 'application/pdf', LIMITS.document!.maxBytes],
    ['a sticker', 'image/webp', LIMITS.sticker!.maxBytes],
  ])('should accept %s of exactly its kind’s limit and refuse one byte more', (_, contentType, maxBytes) => {
    expect(mediaRefusalOf([buildItem({ contentType, size: maxBytes })])).toBeUndefined();
    expect(mediaRefusalOf([buildItem({ contentType, size: maxBytes + 1 })])).toMatchObject({
      code: 'PONTE_ATTACHMENT_TOO_LARGE',
      retryable: false,
    });
  });

  it('should name the kind, the limit and the file when a video is over 16 MB', () => {
    expect(
      mediaRefusalOf([buildItem({ contentType: 'video/mp4', size: 20_000_000, fileName: 'tutorial.mp4' })]),
    ).toEqual({
      code: 'PONTE_ATTACHMENT_TOO_LARGE',
      message:
        'attachment 1: WhatsApp sends video files (video/mp4) up to 16000000 bytes, this one (tutorial.mp4) has 20000000',
      retryable: false,
    });
  });

  it('should judge a WebP image as a sticker, as the registry says', () => {
    expect(cloudMediaOf(buildItem({ contentType: 'image/webp' }))).toEqual({
      kind: 'sticker',
      mediaType: 'image/webp',
    });
    expect(mediaRefusalOf([buildItem({ contentType: 'image/webp', size: 600_000 })])?.code).toBe(
      'PONTE_ATTACHMENT_TOO_LARGE',
    );
  });

  it('should send a type no other kind takes as a document', () => {
    expect(cloudMediaOf(buildItem({ contentType: 'Application/ZIP' }))).toEqual({
      kind: 'document',
      mediaType: 'application/zip',
    });
  });

  it.each([[''], ['jpeg'], ['image/'], ['not a type']])(
    'should refuse with PONTE_ATTACHMENT_TYPE_UNSUPPORTED when the stored type is %j',
    (contentType) => {
      expect(mediaRefusalOf([buildItem({ contentType })])).toMatchObject({
        code: 'PONTE_ATTACHMENT_TYPE_UNSUPPORTED',
        retryable: false,
      });
    },
  );
});

describe(missingAttachment.name, () => {
  it('should name the attachment and its blob', () => {
    expect(missingAttachment(0, 'gateway/upload-1')).toEqual({
      code: 'PONTE_ATTACHMENT_MISSING',
      message: 'attachment 1 (gateway/upload-1) is not in the blob store',
      retryable: false,
    });
  });
});
