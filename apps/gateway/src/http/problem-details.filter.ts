import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { type ProblemDetails, ProblemError } from './problem.error';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/**
 * Every error of the gateway's HTTP API leaves as RFC 9457 `application/problem+json`: the gateway's own refusals
 * (ProblemError), Nest's HTTP exceptions, and what Fastify rejects before a handler runs (malformed JSON 400, oversized
 * body 413, unsupported media type 415 — Nest hands those to the global filters too), and unknown routes (404).
 * Anything else is a 500 whose detail says nothing about the cause; the cause goes to the log.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  catch(exception: unknown, host: ArgumentsHost): void {
    // Only HTTP for now; the WebSocket slice brings its own error frames.
    if (host.getType() !== 'http') throw exception;
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { problem, headers } = this.describe(exception, request);
    if (reply.sent) return;
    void reply
      .status(problem.status)
      .headers(headers)
      .header('content-type', PROBLEM_CONTENT_TYPE)
      .header('cache-control', 'no-store')
      .send(JSON.stringify(problem));
  }

  private describe(
    exception: unknown,
    request: FastifyRequest,
  ): { problem: ProblemDetails; headers: Record<string, string> } {
    const instance = request.url.split('?')[0] ?? request.url;
    if (exception instanceof ProblemError) {
      return { problem: { ...exception.toProblem(), instance }, headers: { ...exception.headers } };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      if (status >= 500) this.logger.error({ err: exception, path: instance }, 'request failed');
      return { problem: { ...httpProblem(exception, status), instance }, headers: {} };
    }
    this.logger.error({ err: exception, path: instance }, 'unexpected error');
    return {
      problem: {
        type: 'about:blank',
        title: STATUS_CODES[500] ?? 'Internal Server Error',
        status: 500,
        detail: 'The request could not be completed because of an unexpected error.',
        instance,
      },
      headers: {},
    };
  }
}

/** A plain HTTP status problem (`about:blank`), its detail taken from the exception's message. */
function httpProblem(exception: HttpException, status: number): ProblemDetails {
  const response = exception.getResponse();
  const problem: ProblemDetails = {
    type: 'about:blank',
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail: detailOf(response, exception.message),
  };
  // Terminus answers a failed readiness check with the state of each dependency: kept for the operator.
  if (typeof response === 'object' && response !== null && 'details' in response) {
    problem['checks'] = (response as { details: unknown }).details;
  }
  return problem;
}

function detailOf(response: string | object, fallback: string): string {
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (typeof message === 'string') return message;
  if (Array.isArray(message)) return message.filter((part) => typeof part === 'string').join('; ');
  return fallback;
}
