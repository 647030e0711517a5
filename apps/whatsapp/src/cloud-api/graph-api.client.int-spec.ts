import { SendFailure } from '@ponte/channel-kit';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { FakeGraphServer, graphError } from '../testing/fake-graph.server';
import { GraphApiClient } from './graph-api.client';

const TOKEN = `EAAG${randomBytes(16).toString('hex')}`;
const PHONE_NUMBER_ID = '106540352242922';

function buildClient(baseUrl: string, overrides: { accessToken?: string; uploadTimeoutMs?: number } = {}) {
  return new GraphApiClient({
    baseUrl,
    version: 'v23.0',
    accessToken: overrides.accessToken ?? TOKEN,
    timeoutMs: 5_000,
    uploadTimeoutMs: overrides.uploadTimeoutMs ?? 5_000,
  });
}

/** Bytes that would break a careless multipart parser: CRLFs, dashes, a fake boundary, every byte value. */
function awkwardBytes(): Buffer {
  return Buffer.concat([
    Buffer.from('\r\n--\r\n\r\n------WebKitFormBoundary\r\n'),
    Buffer.from(Array.from({ length: 256 }, (_, index) => index)),
    randomBytes(64 * 1024),
  ]);
}

describe(`${GraphApiClient.name} (media upload)`, () => {
  let graph: FakeGraphServer;
  let sut: GraphApiClient;

  beforeAll(async () => {
    graph = await FakeGraphServer.start(TOKEN);
    sut = buildClient(graph.url);
  });

  afterAll(async () => {
    await graph?.stop();
  });

  it('should upload the exact bytes as multipart with the type and file name, and return the media id', async () => {
    const bytes = awkwardBytes();

    const mediaId = await sut.uploadMedia(PHONE_NUMBER_ID, {
      bytes,
      mediaType: 'application/pdf',
      fileName: 'fatura "março".pdf',
    });

    const [upload] = graph.uploadsOf(bytes);
    expect(upload).toMatchObject({
      version: 'v23.0',
      phoneNumberId: PHONE_NUMBER_ID,
      authorized: true,
      fields: { messaging_product: 'whatsapp', type: 'application/pdf' },
      file: { fileName: 'fatura "março".pdf', contentType: 'application/pdf' },
      status: 200,
      mediaId,
    });
    expect(mediaId).toMatch(/^\d+$/);
    // What was uploaded is what Graph serves back for that media id.
    expect(await sut.mediaMetadata(mediaId, PHONE_NUMBER_ID)).toMatchObject({
      mime_type: 'application/pdf',
      file_size: bytes.length,
    });
  });

  it('should be retryable when Graph answers 500', async () => {
    graph.replyToUploadsWith({ status: 500, body: graphError(1, 'An unknown error occurred') });

    const failure = await sut
      .uploadMedia(PHONE_NUMBER_ID, { bytes: randomBytes(10), mediaType: 'image/jpeg', fileName: 'a.jpg' })
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(SendFailure);
    expect(failure).toMatchObject({ kind: 'retryable', httpStatus: 500 });
  });

  it("should be permanent with Meta's code when Graph refuses the file (4xx)", async () => {
    graph.replyToUploadsWith({
      status: 400,
      body: graphError(
        131053,
        '(#131053) Media upload error',
        'OAuthException',
        undefined,
        'Unsupported type',
      ),
    });

    const failure = await sut
      .uploadMedia(PHONE_NUMBER_ID, { bytes: randomBytes(10), mediaType: 'image/jpeg', fileName: 'a.jpg' })
      .catch((error: unknown) => error);

    expect(failure).toMatchObject({ kind: 'permanent', code: '131053', httpStatus: 400 });
  });

  it('should be permanent with code 190 when the token is wrong', async () => {
    const bytes = randomBytes(10);

    const failure = await buildClient(graph.url, { accessToken: 'EAAG-wrong' })
      .uploadMedia(PHONE_NUMBER_ID, { bytes, mediaType: 'image/jpeg', fileName: 'a.jpg' })
      .catch((error: unknown) => error);

    expect(failure).toMatchObject({ kind: 'permanent', code: '190', httpStatus: 401 });
    expect(graph.uploads.at(-1)).toMatchObject({ authorized: false, status: 401 });
  });

  it('should be retryable, not uncertain, when Graph never answers an upload', async () => {
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as AddressInfo).port;

      const failure = await buildClient(`http://127.0.0.1:${port}`, { uploadTimeoutMs: 200 })
        .uploadMedia(PHONE_NUMBER_ID, { bytes: randomBytes(10), mediaType: 'image/jpeg', fileName: 'a.jpg' })
        .catch((error: unknown) => error);

      expect(failure).toMatchObject({ kind: 'retryable', code: 'PONTE_MEDIA_UPLOAD_INTERRUPTED' });
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('should be refused by the fake like Graph when the body is not multipart', async () => {
    const response = await fetch(`${graph.url}/v23.0/${PHONE_NUMBER_ID}/media`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ messaging_product: 'whatsapp', type: 'image/jpeg' }),
    });

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 100 } });
  });
});
