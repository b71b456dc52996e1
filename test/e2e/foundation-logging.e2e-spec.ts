import type { IncomingMessage } from 'node:http';
import Fastify, { FastifyInstance } from 'fastify';
import request from 'supertest';
import { pino, type DestinationStream, type LoggerOptions } from 'pino';
import { toErrorBody } from '../../src/infra/http/all-exceptions.filter.js';
import { registerHttpHooks } from '../../src/infra/http/http-hooks.js';
import { loggerOptions, requestIdFor } from '../../src/infra/logging/logger.options.js';
import { MetricsService } from '../../src/infra/metrics/metrics.service.js';
import { testConfig } from '../support/test-app.js';

/** A pino destination that keeps every line written to it. */
function capture(): DestinationStream & { lines: string[]; records: () => Record<string, unknown>[] } {
  const lines: string[] = [];
  return {
    lines,
    write: (line: string) => void lines.push(line),
    records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

/** The pino settings the service's logger is built with (nestjs-pino → pino-http → pino). */
function servicePinoOptions(): LoggerOptions {
  const params = loggerOptions(testConfig('postgres://unused/db', { LOG_LEVEL: 'info' }));
  const http = params.pinoHttp as LoggerOptions & Record<string, unknown>;
  // keep what pino itself reads (pino-http consumes genReqId, autoLogging, customProps, …)
  const { level, redact, formatters, hooks, serializers } = http;
  return { level, redact, formatters, hooks, serializers };
}

/** A bare fastify wired like bootstrap.ts: request ids, the metrics/access-log hooks, a couple of routes. */
async function buildServer(log: pino.Logger): Promise<{ fastify: FastifyInstance; metrics: MetricsService; baseUrl: string }> {
  const fastify = Fastify({
    genReqId: (req: IncomingMessage) => requestIdFor(req),
  });
  const metrics = new MetricsService();
  registerHttpHooks(fastify, metrics, log);
  fastify.get('/api/calls', async () => ({ items: [] }));
  fastify.get('/api/calls/:id', async () => ({ id: 'x' }));
  fastify.post('/api/echo', async () => ({ ok: true }));
  fastify.get('/', async () => ({ status: 'ok' }));
  fastify.get('/metrics', async () => 'm 1');
  fastify.get('/boom', async () => {
    throw new Error('boom');
  });
  // (fastify.inject cannot run under Jest's ESM mode: light-my-request requires an ESM-only package)
  const address = await fastify.listen({ port: 0, host: '127.0.0.1' });
  return { fastify, metrics, baseUrl: address };
}

const FULL_NUMBERS = ['15105550100', '14155550199', '442071838750'];

describe('foundation: logs (phone masking, request ids, redaction)', () => {
  describe('the access log written by registerHttpHooks', () => {
    for (const [label, makeLogger] of [
      ['a plain pino logger', (s: DestinationStream) => pino({ level: 'info' }, s)],
      ['a logger with the service settings', (s: DestinationStream) => pino(servicePinoOptions(), s)],
    ] as const) {
      describe(`with ${label}`, () => {
        let out: ReturnType<typeof capture>;
        let fastify: FastifyInstance;
        let metrics: MetricsService;
        let baseUrl: string;

        beforeEach(async () => {
          out = capture();
          ({ fastify, metrics, baseUrl } = await buildServer(makeLogger(out)));
        });
        afterEach(async () => {
          await fastify.close();
        });

        it('masks phone numbers in the logged URL (query, encoded or not, and path) and keeps the request id', async () => {
          const res = await request(baseUrl)
            .get('/api/calls?phone=%2B15105550100&to=+14155550199&n=442071838750')
            .set('x-request-id', 'log-test-1');
          expect(res.status).toBe(200);
          expect(res.headers['x-request-id']).toBe('log-test-1');
          const records = out.records().filter((r) => r.msg === 'request completed');
          expect(records).toHaveLength(1);
          expect(records[0]).toMatchObject({
            level: 30,
            request_id: 'log-test-1',
            method: 'GET',
            route: '/api/calls',
            status: 200,
            url: '/api/calls?phone=%2B1510***0100&to=+1415***0199&n=4420***8750',
          });
          expect(typeof records[0]!.duration_ms).toBe('number');
          const raw = out.lines.join('');
          for (const n of FULL_NUMBERS) expect(raw).not.toContain(n);

          const byPath = await request(baseUrl).get('/api/calls/+15105550100');
          expect(byPath.status).toBe(200);
          const second = out.records().filter((r) => r.msg === 'request completed')[1]!;
          expect(second.url).toBe('/api/calls/+1510***0100');
          expect(second.route).toBe('/api/calls/:id');
          expect(second.request_id).toBe(byPath.headers['x-request-id']);
          expect(out.lines.join('')).not.toContain('15105550100');
        });

        it('an unmatched route with a number in it is logged masked at warn, with route "unmatched"', async () => {
          const res = await request(baseUrl).get('/nowhere/15105550100');
          expect(res.status).toBe(404);
          const [record] = out.records().filter((r) => r.msg === 'request completed');
          expect(record).toMatchObject({ level: 40, route: 'unmatched', status: 404, url: '/nowhere/1510***0100' });
          expect(out.lines.join('')).not.toContain('15105550100');
          // the histogram label is the pattern, not the path
          const text = await metrics.registry.metrics();
          expect(text).toMatch(/http_request_duration_seconds_count\{[^}]*route="unmatched"[^}]*status_code="404"[^}]*\} 1/);
          expect(text).not.toContain('15105550100');
        });

        it('a 500 is logged at error level', async () => {
          const res = await request(baseUrl).get('/boom?caller=%2B15105550100');
          expect(res.status).toBe(500);
          const [record] = out.records().filter((r) => r.msg === 'request completed');
          expect(record).toMatchObject({ level: 50, status: 500, url: '/boom?caller=%2B1510***0100' });
          expect(out.lines.join('')).not.toContain('15105550100');
        });

        it('an invalid x-request-id is replaced by a uuid in the log and on the response', async () => {
          const res = await request(baseUrl).get('/api/calls').set('x-request-id', 'bad id with spaces');
          expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
          const [record] = out.records().filter((r) => r.msg === 'request completed');
          expect(record!.request_id).toBe(res.headers['x-request-id']);
          expect(out.lines.join('')).not.toContain('bad id with spaces');
        });

        it('liveness and metrics scrapes are not access-logged, but still measured', async () => {
          await request(baseUrl).get('/').expect(200);
          await request(baseUrl).get('/metrics').expect(200);
          expect(out.records().filter((r) => r.msg === 'request completed')).toHaveLength(0);
          const text = await metrics.registry.metrics();
          expect(text).toMatch(/http_request_duration_seconds_count\{[^}]*route="\/"[^}]*\} 1/);
        });

        it('the body of a request is never logged (a phone number in it cannot leak)', async () => {
          await request(baseUrl).post('/api/echo').send({ phone: '+15105550100' }).expect(200);
          expect(out.lines).toHaveLength(1);
          expect(out.lines[0]).not.toContain('15105550100');
        });
      });
    }
  });

  describe('the service logger settings (loggerOptions)', () => {
    let out: ReturnType<typeof capture>;
    let log: pino.Logger;
    beforeEach(() => {
      out = capture();
      log = pino(servicePinoOptions(), out);
    });

    it('masks phone numbers in messages and in any logged object, at any depth', () => {
      log.info({ body: { from: '+15105550100', call: { to: '14155550199', list: ['+442071838750'] } } }, 'inbound call from +15105550100');
      log.warn('plain message to %s', '+14155550199');
      const [first, second] = out.records();
      expect(first!.msg).toBe('inbound call from +1510***0100');
      expect(first!.body).toEqual({ from: '+1510***0100', call: { to: '1415***0199', list: ['+4420***8750'] } });
      expect(second!.msg).toBe('plain message to +1415***0199');
      const raw = out.lines.join('');
      for (const n of FULL_NUMBERS) expect(raw).not.toContain(n);
    });

    it('the request serializer masks the URL', () => {
      log.info({ req: { id: 'r1', method: 'GET', url: '/api/calls?phone=%2B15105550100', headers: { authorization: 'Bearer abc' } } }, 'x');
      const [record] = out.records();
      expect(record!.req).toEqual({ id: 'r1', method: 'GET', url: '/api/calls?phone=%2B1510***0100' });
      expect(out.lines[0]).not.toContain('Bearer abc');
    });

    it('redacts secret fields at the top level and one level down', () => {
      const key = 'ctk_' + 'K'.repeat(40);
      const secret = 'whsec_' + 'S'.repeat(40);
      log.info({ app: { api_key: key, webhook_secret: secret }, oauth: { access_token: 'at-123456', refresh_token: 'rt-123456' } }, 'nested');
      log.info({ api_key: key, webhook_secret: secret, token: 'jwt-abcdef', password: 'pw-abcdef' }, 'top level');
      const raw = out.lines.join('');
      for (const s of [key, secret, 'at-123456', 'rt-123456', 'jwt-abcdef', 'pw-abcdef']) expect(raw).not.toContain(s);
      const [nested, top] = out.records();
      expect(nested!.app).toEqual({ api_key: '[redacted]', webhook_secret: '[redacted]' });
      expect(top).toMatchObject({ api_key: '[redacted]', webhook_secret: '[redacted]', token: '[redacted]', password: '[redacted]' });
    });

    it('redacts a logged set-cookie response header', () => {
      log.info({ res: { headers: { 'set-cookie': 'sid=abcdef' } } }, 'res');
      expect(out.lines[0]).not.toContain('sid=abcdef');
    });
  });

  describe('error bodies (toErrorBody)', () => {
    it('an unexpected error becomes a generic 500: no message, no stack', () => {
      const err = new Error('connect ECONNREFUSED postgres://admin:hunter2@db:5432');
      const body = toErrorBody(err, 'rid-1');
      expect(body).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'Internal server error', request_id: 'rid-1' });
      expect(JSON.stringify(body)).not.toContain('hunter2');
    });

    it('a non-Error throwable is a 500 too', () => {
      expect(toErrorBody('string thrown', 'rid-2')).toEqual({
        statusCode: 500,
        error: 'Internal Server Error',
        message: 'Internal server error',
        request_id: 'rid-2',
      });
      expect(toErrorBody(null, 'rid-3').statusCode).toBe(500);
    });
  });
});
