import { Controller, Get, Head, NotFoundException, Param, Res } from '@nestjs/common';
import { type BlobMetadata, BlobStore, mediaTypeOf } from '@ponte/channel-kit';
import type { FastifyReply } from 'fastify';
import { MEDIA_ROUTE, MediaUrlSigner, type VerifiedMediaToken } from './media-url.signer';

/** Types a handset or browser shows as media; anything else is offered as a download. */
const INLINE_TYPES = /^(image|audio|video)\//;

/**
 * Serves the attachments of outbound messages to whoever holds a signed URL (Twilio, fetching an MMS's media). No
 * credentials: the URL is the credential. A malformed, altered or expired token and an unknown blob all answer the
 * same 404, so a guess learns nothing, not even whether the blob exists.
 *
 * The token is a wildcard segment because Fastify refuses path parameters over 100 characters.
 */
@Controller(MEDIA_ROUTE)
export class OutboundMediaController {
  constructor(
    private readonly signer: MediaUrlSigner,
    private readonly blobs: BlobStore,
  ) {}

  /**
   * Twilio checks the type with a HEAD before the GET. Declared before the GET, so Fastify does not derive a HEAD
   * from it, which would read every byte of the blob to throw them away.
   */
  @Head('*')
  async head(@Param('*') token: string, @Res() reply: FastifyReply): Promise<void> {
    const verified = this.verify(token);
    const metadata = await this.blobs.metadata(verified.blobId);
    if (!metadata) throw new NotFoundException();
    void reply.headers(headersOf(metadata, metadata.size, verified)).send();
  }

  @Get('*')
  async get(@Param('*') token: string, @Res() reply: FastifyReply): Promise<void> {
    const verified = this.verify(token);
    const blob = await this.blobs.read(verified.blobId);
    if (!blob) throw new NotFoundException();
    void reply.headers(headersOf(blob.metadata, blob.bytes.length, verified)).send(blob.bytes);
  }

  private verify(token: string): VerifiedMediaToken {
    const verified = this.signer.verify(token);
    if (!verified) throw new NotFoundException();
    return verified;
  }
}

function headersOf(
  metadata: BlobMetadata,
  size: number,
  verified: VerifiedMediaToken,
): Record<string, string> {
  const fileName = metadata.fileName ? safeFileName(metadata.fileName) : '';
  const disposition = INLINE_TYPES.test(mediaTypeOf(metadata.contentType)) ? 'inline' : 'attachment';
  return {
    'content-type': metadata.contentType,
    'content-length': String(size),
    // Never cached past the token: after that the URL must stop working everywhere.
    'cache-control': `private, max-age=${verified.secondsLeft}`,
    'x-content-type-options': 'nosniff',
    'content-disposition': fileName ? `${disposition}; filename="${fileName}"` : disposition,
  };
}

/** Twilio shows the file name of the Content-Disposition; it asks for no spaces and no special characters. */
function safeFileName(fileName: string): string {
  return fileName
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._]+/, '')
    .slice(0, 100);
}
