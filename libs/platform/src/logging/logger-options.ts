import type { IncomingMessage } from 'node:http';
import type { Params } from 'nestjs-pino';
import type { ServiceConfig } from '../config/service-config';

/** Query parameters that carry a secret (Meta's verification token, OAuth-style tokens). */
const SECRET_QUERY_PARAMETERS = ['hub.verify_token', 'access_token', 'token'];
/** Paths whose next segment is a capability (a signed media URL anyone holding it may fetch). */
const CAPABILITY_PATHS = ['/media/'];

/** The request URL as it may be logged: capability segments and secret query values replaced. */
export function redactUrl(url: string): string {
  const [path = '', query] = url.split(/\?(.*)/s, 2);
  let safePath = path;
  for (const prefix of CAPABILITY_PATHS) {
    const at = safePath.indexOf(prefix);
    if (at >= 0) safePath = `${safePath.slice(0, at + prefix.length)}[redacted]`;
  }
  if (query === undefined) return safePath;
  const safeQuery = query
    .split('&')
    .map((pair) => {
      const [name = ''] = pair.split('=', 1);
      return SECRET_QUERY_PARAMETERS.includes(decodeURIComponent(name)) ? `${name}=[redacted]` : pair;
    })
    .join('&');
  return `${safePath}?${safeQuery}`;
}

function redactQuery(query: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(query).map(([name, value]) => [
      name,
      SECRET_QUERY_PARAMETERS.includes(name) ? '[redacted]' : value,
    ]),
  );
}

/**
 * JSON logs on stdout, one object a line, with the service name on every line. Request ids come from
 * `x-request-id` when a proxy set one. Secrets in headers, query strings and capability URLs never reach the log.
 */
export function loggerOptions(service: string, config: ServiceConfig): Params {
  return {
    pinoHttp: {
      level: config.LOG_LEVEL,
      base: { service },
      messageKey: 'msg',
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'req.headers["x-twilio-signature"]',
          'req.headers["x-hub-signature-256"]',
          'req.headers["x-telegram-bot-api-secret-token"]',
        ],
        censor: '[redacted]',
      },
      serializers: {
        req: (request: { url?: string; query?: Record<string, unknown>; params?: unknown }) => {
          if (request.url) request.url = redactUrl(request.url);
          if (request.query) request.query = redactQuery(request.query);
          // Route parameters may be capabilities too (the media token); the redacted url says enough.
          delete request.params;
          return request;
        },
      },
      genReqId: (request: IncomingMessage) => {
        const given = request.headers['x-request-id'];
        return typeof given === 'string' && given.length > 0 && given.length <= 128
          ? given
          : crypto.randomUUID();
      },
      // Probes hit /health every few seconds; logging each would drown the useful lines.
      autoLogging: { ignore: (request: IncomingMessage) => request.url?.startsWith('/health') ?? false },
    },
  };
}
