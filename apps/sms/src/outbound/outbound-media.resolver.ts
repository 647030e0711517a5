import { Injectable } from '@nestjs/common';
import { type BlobMetadata, BlobStore } from '@ponte/channel-kit';
import type { OutboundMessage } from '@ponte/contracts';
import { MediaUrlSigner } from '../media/media-url.signer';
import {
  type MediaRefusal,
  mediaRefusalOf,
  missingAttachment,
  type TwilioMediaChannel,
} from '../twilio/twilio-media.limits';

export type ResolvedMedia = { mediaUrls: string[]; refusal?: undefined } | { refusal: MediaRefusal };

/**
 * The `MediaUrl`s of an outbound message: each attachment must be in the blob store and within Twilio's limits for
 * the channel, judged on what the store holds (the type and size Twilio will fetch), not on what the message claims.
 * Only then is a URL signed, one per attachment, in order.
 */
@Injectable()
export class OutboundMediaResolver {
  constructor(
    private readonly blobs: BlobStore,
    private readonly signer: MediaUrlSigner,
  ) {}

  async resolve(message: OutboundMessage): Promise<ResolvedMedia> {
    const attachments = message.attachments ?? [];
    if (attachments.length === 0) return { mediaUrls: [] };
    const stored = await Promise.all(attachments.map((attachment) => this.blobs.metadata(attachment.blobId)));
    const items: BlobMetadata[] = [];
    for (const [index, metadata] of stored.entries()) {
      if (!metadata) return { refusal: missingAttachment(index, attachments[index]?.blobId ?? '') };
      items.push(metadata);
    }
    const refusal = mediaRefusalOf(mediaChannelOf(message), items);
    if (refusal) return { refusal };
    return { mediaUrls: items.map((item) => this.signer.urlFor(item.id).url) };
  }
}

function mediaChannelOf(message: OutboundMessage): TwilioMediaChannel {
  return message.channel === 'whatsapp' ? 'whatsapp' : 'mms';
}
