import { Injectable, type INestApplication } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { NestContainer } from '@nestjs/core/injector/container';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ACCESS_TOKEN_SCHEME } from '../auth/auth.controller';
import { ProblemSchema } from '../http/api-problem.decorators';

/**
 * The OpenAPI 3 document of the gateway, made by @nestjs/swagger from the controllers' decorators on first request.
 *
 * SwaggerModule wants the Nest application, which the platform's createServiceApp creates and starts in one step, so
 * no code of the gateway holds it before it listens. The scanner reads only the application's module container, its
 * config and its HTTP adapter; this gives it those three from the container behind ModuleRef. When libs/platform gets
 * a hook between creating and starting the app, SwaggerModule.setup replaces this (see README, "Left for later").
 */
@Injectable()
export class OpenApiDocument {
  private document: OpenAPIObject | undefined;

  constructor(private readonly moduleRef: ModuleRef) {}

  get(): OpenAPIObject {
    this.document ??= SwaggerModule.createDocument(this.application(), documentConfig(), {
      extraModels: [ProblemSchema],
    });
    return this.document;
  }

  private application(): INestApplication {
    const container = (this.moduleRef as unknown as { container: NestContainer }).container;
    return {
      container,
      config: container.applicationConfig,
      getHttpAdapter: () => container.getHttpAdapterRef(),
    } as unknown as INestApplication;
  }
}

function documentConfig(): Omit<OpenAPIObject, 'paths'> {
  return new DocumentBuilder()
    .setTitle('Ponte gateway API')
    .setDescription(
      "The agents' API of Ponte. Every route needs `Authorization: Bearer <access token>` unless marked otherwise; " +
        'get one from `POST /api/v1/auth/login`. Errors are RFC 9457 problem details (`application/problem+json`). ' +
        'Live updates: socket.io on path `/api/v1/live` (WebSocket transport, `auth: { token }`), described in the ' +
        "gateway's README.",
    )
    .setVersion('v1')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'Access token from login or refresh',
      },
      ACCESS_TOKEN_SCHEME,
    )
    .build();
}
