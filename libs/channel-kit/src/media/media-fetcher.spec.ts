import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MediaFetcher, type MediaFetchPolicy, mediaTypeOf } from './media-fetcher';

type Route = (response: ServerResponse, headers: IncomingHttpHeaders) => void;

/** A local server answering each path with its route and remembering the headers each request came with. */
class MediaServer {
  readonly seen = new Map<string, IncomingHttpHeaders>();
  private readonly routes = new Map<string, Route>();
  private server!: Server;
  url = '';

  route(path: string, route: Route): void {
    this.routes.set(path, route);
  }

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const path = request.url ?? '/';
      this.seen.set(path, request.headers);
      const route = this.routes.get(path);
      if (route) route(response, request.headers);
      else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe(MediaFetcher.name, () => {
  const provider = new MediaServer();
  const cdn = new MediaServer();
  const elsewhere = new MediaServer();

  beforeAll(async () => {
    await Promise.all([provider.start(), cdn.start(), elsewhere.start()]);
    provider.route('/image', (response) =>
      response.writeHead(200, { 'content-type': 'image/JPEG; q=1' }).end('jpeg'),
    );
    provider.route('/to-cdn', (response) => response.writeHead(302, { location: `${cdn.url}/file` }).end());
    provider.route('/to-elsewhere', (response) =>
      response.writeHead(302, { location: `${elsewhere.url}/file` }).end(),
    );
    provider.route('/loop', (response) => response.writeHead(302, { location: '/loop' }).end());
    provider.route('/pdf', (response) =>
      response.writeHead(200, { 'content-type': 'application/pdf' }).end('%PDF'),
    );
    provider.route('/untyped', (response) => response.writeHead(200).end('bytes'));
    provider.route('/big', (response) =>
      response.writeHead(200, { 'content-type': 'image/png' }).end('x'.repeat(64)),
    );
    provider.route('/gone', (response) => response.writeHead(404).end());
    cdn.route('/file', (response) => response.writeHead(200, { 'content-type': 'audio/ogg' }).end('ogg'));
    elsewhere.route('/file', (response) =>
      response.writeHead(200, { 'content-type': 'image/png' }).end('png'),
    );
  });

  afterAll(async () => {
    await Promise.all([provider.stop(), cdn.stop(), elsewhere.stop()]);
  });

  function fetcher(overrides: Partial<MediaFetchPolicy> = {}): MediaFetcher {
    return new MediaFetcher({
      allowedOrigins: [provider.url, cdn.url],
      allowedTypes: ['image/jpeg', 'image/png', 'audio/*'],
      maxBytes: 32,
      timeoutMs: 5_000,
      maxRedirects: 2,
      credentials: { origins: [provider.url], authorization: 'Bearer token' },
      ...overrides,
    });
  }

  it('should return the bytes and the normalized type of an allowed medium', async () => {
    const result = await fetcher().fetch(`${provider.url}/image`);

    expect(result).toEqual({ ok: true, bytes: Buffer.from('jpeg'), contentType: 'image/jpeg' });
  });

  it('should follow a redirect to an allowed origin without sending the credentials there', async () => {
    const result = await fetcher().fetch(`${provider.url}/to-cdn`);

    expect(result).toMatchObject({ ok: true, contentType: 'audio/ogg' });
    expect(provider.seen.get('/to-cdn')?.authorization).toBe('Bearer token');
    expect(cdn.seen.get('/file')?.authorization).toBeUndefined();
  });

  it('should refuse a first URL or a redirect hop outside the allowed origins', async () => {
    const sut = fetcher();

    expect(await sut.fetch(`${elsewhere.url}/file`)).toMatchObject({
      ok: false,
      reason: 'origin-not-allowed',
    });
    expect(await sut.fetch(`${provider.url}/to-elsewhere`)).toMatchObject({
      ok: false,
      reason: 'redirect-not-allowed',
    });
    expect(await sut.fetch('not a url')).toMatchObject({ ok: false, reason: 'origin-not-allowed' });
  });

  it('should stop after the allowed number of redirects', async () => {
    const result = await fetcher().fetch(`${provider.url}/loop`);

    expect(result).toMatchObject({ ok: false, reason: 'too-many-redirects' });
  });

  it('should refuse a type outside the list and take the declared type only when the answer has none', async () => {
    const sut = fetcher();

    expect(await sut.fetch(`${provider.url}/pdf`)).toMatchObject({ ok: false, reason: 'type-not-allowed' });
    expect(await sut.fetch(`${provider.url}/untyped`, { declaredType: 'image/png' })).toMatchObject({
      ok: true,
      contentType: 'image/png',
    });
    expect(await sut.fetch(`${provider.url}/untyped`)).toMatchObject({
      ok: false,
      reason: 'type-not-allowed',
    });
  });

  it('should refuse a medium over the limit, the per-call one never exceeding the policy', async () => {
    expect(await fetcher().fetch(`${provider.url}/big`)).toMatchObject({ ok: false, reason: 'too-large' });
    expect(await fetcher({ maxBytes: 100 }).fetch(`${provider.url}/big`, { maxBytes: 10 })).toMatchObject({
      ok: false,
      reason: 'too-large',
    });
    expect(await fetcher({ maxBytes: 100 }).fetch(`${provider.url}/big`, { maxBytes: 1_000 })).toMatchObject({
      ok: true,
    });
  });

  it('should report an HTTP error answer', async () => {
    const result = await fetcher().fetch(`${provider.url}/gone`);

    expect(result).toEqual({ ok: false, reason: 'http-error', detail: 'HTTP 404' });
  });

  it('should normalize media types', () => {
    expect(mediaTypeOf('Image/PNG; charset=binary')).toBe('image/png');
    expect(mediaTypeOf('')).toBe('');
  });
});
