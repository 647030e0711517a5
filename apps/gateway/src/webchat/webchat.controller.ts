import {
  Body,
  type CallHandler,
  Controller,
  type ExecutionContext,
  Get,
  Header,
  Headers,
  HttpCode,
  Injectable,
  type NestInterceptor,
  Options,
  Post,
  Query,
  Req,
  UseInterceptors,
} from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Observable } from 'rxjs';
import { Public } from '../auth/agent-principal';
import { bearerToken } from '../auth/auth.guard';
import { GatewayConfig } from '../config/gateway.config';
import { ApiProblems } from '../http/api-problem.decorators';
import { RateLimit } from '../rate-limit/rate-limits';
import type { Visitor } from './visitor-tokens';
import {
  OpenSessionBody,
  ReadBody,
  SendMessageBody,
  SentMessageView,
  TypingBody,
  VisitorMessagesQuery,
  VisitorMessagesView,
  VisitorSessionView,
} from './webchat.dto';
import { WebchatServer } from './webchat.server';
import { WebchatService } from './webchat.service';

export const VISITOR_TOKEN_SCHEME = 'visitor-token';
/** The widget and its demo page: apps/gateway/public (beside src, in the sources and in the image alike). */
const PUBLIC_DIR = join(__dirname, '..', '..', 'public', 'webchat');

/**
 * CORS for the visitor routes: a page on an origin some inbox lists may call them (the widget sends JSON and a bearer
 * token, so browsers ask first with a preflight). Which inbox a session may open is checked by the route itself.
 */
@Injectable()
export class WebchatCors implements NestInterceptor {
  constructor(private readonly config: GatewayConfig) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const origin = http.getRequest<FastifyRequest>().headers.origin;
    const reply = http.getResponse<FastifyReply>();
    void reply.header('vary', 'Origin');
    if (origin && this.config.webchatInboxes.some((inbox) => inbox.allowedOrigins?.includes(origin))) {
      void reply.header('access-control-allow-origin', origin);
      void reply.header('access-control-allow-methods', 'GET, POST, OPTIONS');
      void reply.header('access-control-allow-headers', 'authorization, content-type');
      void reply.header('access-control-max-age', '600');
    }
    return next.handle();
  }
}

/**
 * The web chat's visitor routes (docs/webchat.md): the session, and the REST fallback of the socket for sending,
 * history, typing and read receipts. Public to the agents' auth: a visitor token (its own audience) is checked here.
 */
@ApiTags('webchat')
@Public()
@UseInterceptors(WebchatCors)
@ApiProblems(400, 401, 403, 404, 429)
@Controller('api/v1/webchat')
export class WebchatController {
  constructor(
    private readonly webchat: WebchatService,
    private readonly server: WebchatServer,
  ) {}

  @Options(['sessions', 'messages', 'typing', 'read'])
  @HttpCode(204)
  preflight(): void {
    // The interceptor answered with the CORS headers when the origin is allowed.
  }

  // Per client IP: sessions are what a flood would mint. The visitor routes below count per visitor instead, so the
  // visitors behind one address (an office, a mobile carrier's NAT) do not share one budget.
  @Post('sessions')
  @RateLimit('public')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Open or resume a visitor session of an inbox',
    description:
      'Identities with a matching HMAC hash are verified (strong evidence for the router); without a hash they stay claims.',
  })
  @ApiCreatedResponse({ type: VisitorSessionView })
  openSession(@Body() body: OpenSessionBody, @Req() request: FastifyRequest): Promise<VisitorSessionView> {
    return this.webchat.openSession(body, request.headers.origin, ownOrigin(request));
  }

  @Get('messages')
  @ApiBearerAuth(VISITOR_TOKEN_SCHEME)
  @ApiOperation({
    summary: "The visitor's messages, oldest first; fetched agent messages count as delivered",
  })
  @ApiOkResponse({ type: VisitorMessagesView })
  async messages(
    @Headers('authorization') authorization: string | undefined,
    @Query() query: VisitorMessagesQuery,
  ): Promise<VisitorMessagesView> {
    const visitor = await this.visitor(authorization);
    this.webchat.takeRateLimit(visitor);
    const items = await this.webchat.history(visitor, query);
    await this.webchat.delivered(visitor, items);
    return { items };
  }

  @Post('messages')
  @HttpCode(202)
  @ApiBearerAuth(VISITOR_TOKEN_SCHEME)
  @ApiOperation({
    summary: 'Send a message (answered once Kafka has it); the same clientMessageId again is a no-op',
  })
  @ApiCreatedResponse({ type: SentMessageView })
  async send(
    @Headers('authorization') authorization: string | undefined,
    @Body() body: SendMessageBody,
  ): Promise<SentMessageView> {
    const visitor = await this.visitor(authorization);
    this.webchat.takeRateLimit(visitor);
    return this.webchat.send(visitor, body);
  }

  @Post('typing')
  @HttpCode(204)
  @ApiBearerAuth(VISITOR_TOKEN_SCHEME)
  @ApiOperation({ summary: 'The visitor is typing, or stopped' })
  async typing(
    @Headers('authorization') authorization: string | undefined,
    @Body() body: TypingBody,
  ): Promise<void> {
    const visitor = await this.visitor(authorization);
    this.webchat.takeRateLimit(visitor);
    await this.server.typingOf(visitor, body.typing);
  }

  @Post('read')
  @HttpCode(204)
  @ApiBearerAuth(VISITOR_TOKEN_SCHEME)
  @ApiOperation({ summary: 'The visitor read every agent message up to this one' })
  async read(
    @Headers('authorization') authorization: string | undefined,
    @Body() body: ReadBody,
  ): Promise<void> {
    const visitor = await this.visitor(authorization);
    this.webchat.takeRateLimit(visitor);
    await this.webchat.read(visitor, body.messageId);
  }

  private visitor(authorization: string | undefined): Promise<Visitor> {
    return this.webchat.authenticate(bearerToken(authorization));
  }
}

/** The widget script and the demo page. */
@Public()
@RateLimit('public')
@Controller('webchat')
export class WebchatAssetsController {
  @Get('widget.js')
  @Header('content-type', 'text/javascript; charset=utf-8')
  @Header('cache-control', 'public, max-age=300')
  widget(): Promise<Buffer> {
    return readFile(join(PUBLIC_DIR, 'widget.js'));
  }

  @Get('demo')
  @Header('content-type', 'text/html; charset=utf-8')
  demo(): Promise<Buffer> {
    return readFile(join(PUBLIC_DIR, 'demo.html'));
  }
}

/** The gateway's own origin as the browser sees it (behind a proxy, the forwarded scheme and host). */
function ownOrigin(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}
