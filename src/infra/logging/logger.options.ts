import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';
import type { AppConfig } from '../config/app-config.js';
import { maskDeep, maskPhoneNumbers } from './mask.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The correlation id: a well-formed `x-request-id` from the caller, else a fresh uuid. */
export function requestIdFor(req: IncomingMessage): string {
  const header = req.headers['x-request-id'];
  const candidate = Array.isArray(header) ? header[0] : header;
  return candidate && REQUEST_ID.test(candidate) ? candidate : randomUUID();
}

const SECRET_FIELDS = ['api_key', 'webhook_secret', 'token', 'access_token', 'refresh_token', 'password', 'secret'];

/** Header and body paths that may carry secrets; pino replaces them with "[redacted]". */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-app-api-key"]',
  'req.headers["x-dialpad-signature"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  // `*.x` does not match a top-level `x`: both are needed
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((f) => `*.${f}`),
];

export function loggerOptions(config: AppConfig): Params {
  return {
    // nestjs-pino's default route pattern does not match under @nestjs/platform-fastify 12
    forRoutes: ['{*splat}'],
    // the webhook hot path skips the per-request child logger (its access line is still written)
    exclude: [{ path: 'webhooks/{*splat}', method: RequestMethod.POST }],
    pinoHttp: {
      level: config.LOG_LEVEL,
      // fastify's genReqId stored the id on the raw request (see http-hooks.ts)
      genReqId: (req) => (req as IncomingMessage & { id?: string }).id ?? requestIdFor(req),
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      customProps: () => ({ service: 'turbo-cti' }),
      serializers: {
        req: (req: { id: string; method: string; url: string; remoteAddress?: string }) => ({
          id: req.id,
          method: req.method,
          url: maskPhoneNumbers(req.url),
          remoteAddress: req.remoteAddress,
        }),
      },
      formatters: { log: (obj) => maskDeep(obj) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          const masked = args.map((a) => (typeof a === 'string' ? maskPhoneNumbers(a) : a)) as typeof args;
          return method.apply(this, masked);
        },
      },
      // one "request completed" line per request is written by the fastify onResponse hook (http-hooks.ts):
      // under @nestjs/platform-fastify the middleware does not see every request's outcome
      autoLogging: false,
      ...(config.LOG_PRETTY ? { transport: { target: 'pino-pretty', options: { singleLine: true } } } : {}),
    },
  };
}
