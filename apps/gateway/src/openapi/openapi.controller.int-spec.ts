import { GatewayHarness } from '../testing/gateway.harness';
import { OpenApiController } from './openapi.controller';

describe(OpenApiController.name, () => {
  let sut: GatewayHarness;

  beforeAll(async () => {
    sut = await GatewayHarness.start();
  });

  afterAll(async () => {
    await sut?.stop();
  });

  it('should list every route and the bearer scheme in /api/docs-json, without a token', async () => {
    const response = await sut.request<{
      openapi: string;
      paths: Record<string, Record<string, { security?: unknown[] }>>;
      components: { securitySchemes: Record<string, unknown> };
    }>('GET', '/api/docs-json');

    expect(response.status).toBe(200);
    expect(response.body.openapi).toMatch(/^3\./);
    expect(Object.keys(response.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/auth/login',
        '/api/v1/auth/refresh',
        '/api/v1/auth/logout',
        '/api/v1/auth/password',
        '/api/v1/auth/me',
        '/api/v1/admin/accounts',
        '/api/v1/admin/accounts/{id}',
        '/api/v1/admin/accounts/{id}/password',
        '/api/v1/conversations',
        '/api/v1/conversations/{id}',
        '/api/v1/conversations/{id}/reply',
        '/api/v1/conversations/{id}/notes',
        '/api/v1/conversations/{id}/transfer',
        '/api/v1/conversations/{id}/escalate',
        '/api/v1/conversations/{id}/resolve',
        '/api/v1/conversations/{id}/reopen',
        '/api/v1/conversations/{id}/priority',
        '/api/v1/customers/{id}',
        '/api/v1/customers/{id}/merge',
        '/api/v1/customers/{id}/split',
        '/api/v1/queues',
        '/api/v1/merge-candidates',
        '/api/v1/agents/me/presence',
        '/api/v1/admin/queues/{queueId}',
        '/api/v1/admin/agents/{agentId}',
        '/api/v1/admin/routing',
      ]),
    );
    expect(Object.keys(response.body.paths)).not.toContain('/api/docs-json');
    expect(response.body.components.securitySchemes['access-token']).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
    expect(response.body.paths['/api/v1/admin/accounts']?.['post']?.security).toEqual([
      { 'access-token': [] },
    ]);
    expect(response.body.paths['/api/v1/auth/login']?.['post']?.security).toBeUndefined();
  });

  it('should serve Swagger UI at /api/docs with its assets', async () => {
    const page = await sut.request<string>('GET', '/api/docs');
    const bundle = await sut.request<string>('GET', '/api/docs/swagger-ui-bundle.js');
    const other = await sut.request('GET', '/api/docs/package.json');

    expect(page.status).toBe(200);
    expect(page.contentType).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(page.body).toContain('/api/docs/swagger-ui-init.js');
    expect(bundle.status).toBe(200);
    expect(bundle.contentType).toMatch(/^application\/javascript/);
    expect(other.status).toBe(404);
  });
});
