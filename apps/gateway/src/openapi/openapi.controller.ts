import { Controller, Get, Header, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiExcludeController, type OpenAPIObject } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Public } from '../auth/agent-principal';
import { RateLimit } from '../rate-limit/rate-limits';
import { OpenApiDocument } from './openapi.document';

const SWAGGER_UI_DIRECTORY = dirname(require.resolve('swagger-ui-dist/package.json'));

/** The only files of swagger-ui-dist served, with their types. */
const ASSETS: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

const INIT_SCRIPT = `window.ui = SwaggerUIBundle({ url: '/api/docs-json', dom_id: '#swagger-ui', deepLinking: true });\n`;

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Ponte gateway API</title>
    <link rel="stylesheet" href="/api/docs/swagger-ui.css" />
    <link rel="icon" type="image/png" href="/api/docs/favicon-32x32.png" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/api/docs/swagger-ui-bundle.js"></script>
    <script src="/api/docs/swagger-ui-init.js"></script>
  </body>
</html>
`;

/** Swagger UI's own inline styles need 'unsafe-inline' for styles; scripts come from this origin only. */
const PAGE_POLICY =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; " +
  "connect-src 'self'; frame-ancestors 'none'";

/** The OpenAPI document (`/api/docs-json`) and Swagger UI (`/api/docs`), public, limited per client IP. */
@ApiExcludeController()
@Public()
@RateLimit('public')
@Controller('api')
export class OpenApiController {
  private readonly assets = new Map<string, Promise<Buffer>>();

  constructor(private readonly document: OpenApiDocument) {}

  @Get('docs-json')
  json(): OpenAPIObject {
    return this.document.get();
  }

  @Get('docs')
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('content-security-policy', PAGE_POLICY)
  page(): string {
    return PAGE;
  }

  @Get('docs/swagger-ui-init.js')
  @Header('content-type', 'application/javascript; charset=utf-8')
  initScript(): string {
    return INIT_SCRIPT;
  }

  @Get('docs/:asset')
  async asset(@Param('asset') name: string, @Res() reply: FastifyReply): Promise<void> {
    const type = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
    if (!type) throw new NotFoundException(`No such file: ${name}`);
    let bytes = this.assets.get(name);
    if (!bytes) {
      bytes = readFile(join(SWAGGER_UI_DIRECTORY, name));
      this.assets.set(name, bytes);
    }
    await reply
      .type(type)
      .header('cache-control', 'public, max-age=86400')
      .send(await bytes);
  }
}
