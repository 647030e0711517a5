import type { IncomingMessage } from 'node:http';
import type { Params } from 'nestjs-pino';
import type { ServiceConfig } from '../config/service-config';

/**
 * JSON logs on stdout, one object a line, with the service name on every line. Request ids come from
 * `x-request-id` when a proxy set one. Secrets in headers never reach the log.
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
