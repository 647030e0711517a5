import type { AttachmentRef } from '@ponte/contracts';
import { randomUUID } from 'node:crypto';
import { PUBLIC_BASE_URL, SmsHarness } from '../testing/sms.harness';
import { MediaUrlSigner } from './media-url.signer';
import { OutboundMediaController } from './outbound-media.controller';

describe(OutboundMediaController.name, () => {
  let sut: SmsHarness;
  const photoBytes = Buffer.from([0xff, 0xd8, 0xff, 0xe0, ...Buffer.from('a customer photo')]);
  const invoiceBytes = Buffer.from('%PDF-1.7 segunda via de março');
  let photo: AttachmentRef;
  let invoice: AttachmentRef;
  /** The MediaUrls Twilio received for [photo, invoice]. */
  let mediaUrls: string[];

  beforeAll(async () => {
    sut = await SmsHarness.start();
    photo = await sut.putBlob({
      id: `test/${randomUUID()}/photo.jpg`,
      contentType: 'image/jpeg',
      bytes: photoBytes,
    });
    invoice = await sut.putBlob({
      id: `test/${randomUUID()}/invoice.pdf`,
      contentType: 'application/pdf',
      bytes: invoiceBytes,
      fileName: 'Fatura março 2025.pdf',
    });
    const to = '+5511987650020';
    const message = await sut.outbound({
      to: { address: to },
      content: { text: 'Segue a fatura' },
      attachments: [photo, invoice],
    });
    await sut.status(message.messageId, 'queued');
    mediaUrls = sut.twilio.sendsTo(to)[0]?.mediaUrls ?? [];
  });

  afterAll(async () => {
    await sut?.stop();
  });

  /** A response's body and what a 404 of a guess must never differ in. */
  async function notFound(response: Response): Promise<string> {
    expect(response.status).toBe(404);
    return response.text();
  }

  it('should serve each attachment with its bytes and stored type when Twilio fetches the URLs it was given', async () => {
    expect(mediaUrls).toHaveLength(2);

    const [photoResponse, invoiceResponse] = await Promise.all(mediaUrls.map((url) => sut.fetchPublic(url)));

    expect(photoResponse!.status).toBe(200);
    expect(Buffer.from(await photoResponse!.arrayBuffer()).equals(photoBytes)).toBe(true);
    expect(Object.fromEntries(photoResponse!.headers)).toMatchObject({
      'content-type': 'image/jpeg',
      'content-length': String(photoBytes.length),
      'x-content-type-options': 'nosniff',
      'content-disposition': 'inline',
    });
    expect(invoiceResponse!.status).toBe(200);
    expect(Buffer.from(await invoiceResponse!.arrayBuffer()).equals(invoiceBytes)).toBe(true);
    expect(Object.fromEntries(invoiceResponse!.headers)).toMatchObject({
      'content-type': 'application/pdf',
      'content-length': String(invoiceBytes.length),
      'x-content-type-options': 'nosniff',
      'content-disposition': 'attachment; filename="Fatura_marco_2025.pdf"',
    });
  });

  it('should let caches keep the media at most until the URL expires', async () => {
    const response = await sut.fetchPublic(mediaUrls[0]!);

    const maxAge = Number(/^private, max-age=(\d+)$/.exec(response.headers.get('cache-control') ?? '')?.[1]);
    expect(maxAge).toBeGreaterThan(3500);
    expect(maxAge).toBeLessThanOrEqual(3600);
  });

  it('should answer HEAD with the type and length but no body when Twilio checks the type first', async () => {
    const response = await sut.fetchPublic(mediaUrls[1]!, { method: 'HEAD' });

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(response.headers.get('content-length')).toBe(String(invoiceBytes.length));
    expect(await response.text()).toBe('');
  });

  it('should answer the same 404 when the token is tampered with, expired, or names an unknown blob', async () => {
    const signer = sut.app.get(MediaUrlSigner);
    const [encodedBlobId, expiry, signature] = mediaUrls[0]!.split('/').at(-1)!.split('.');
    const otherBlob = Buffer.from(invoice.blobId).toString('base64url');
    const flipped = `${signature![0] === 'A' ? 'B' : 'A'}${signature!.slice(1)}`;

    const bodies = [
      await notFound(await sut.fetchPublic(`${PUBLIC_BASE_URL}/media/${encodedBlobId}.${expiry}.${flipped}`)),
      await notFound(await sut.fetchPublic(`${PUBLIC_BASE_URL}/media/${otherBlob}.${expiry}.${signature}`)),
      await notFound(
        await sut.fetchPublic(
          `${PUBLIC_BASE_URL}/media/${encodedBlobId}.${Number(expiry) + 60}.${signature}`,
        ),
      ),
      await notFound(
        await fetch(`${sut.url}/media/${signer.tokenFor(photo.blobId, new Date(Date.now() - 1_000))}`),
      ),
      await notFound(await sut.fetchPublic(signer.urlFor(`test/${randomUUID()}/never-stored.jpg`).url)),
      await notFound(await fetch(`${sut.url}/media/${encodedBlobId}`)),
      await notFound(await fetch(`${sut.url}/media/`)),
    ];

    expect(new Set(bodies).size).toBe(1);
  });

  it('should answer 404 to HEAD when the token has expired', async () => {
    const token = sut.app.get(MediaUrlSigner).tokenFor(photo.blobId, new Date(Date.now() - 1_000));

    const response = await fetch(`${sut.url}/media/${token}`, { method: 'HEAD' });

    expect(response.status).toBe(404);
  });
});
