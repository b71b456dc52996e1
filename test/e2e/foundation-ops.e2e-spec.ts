import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { ModulesContainer } from '@nestjs/core';
import request from 'supertest';
import { RedisService } from '../../src/infra/redis/redis.service.js';
import { expectErrorShape, pollUntil, UUID_V4 } from '../support/http-expect.js';
import { startTestApp, TestApp } from '../support/test-app.js';

interface OpenApiDoc {
  openapi: string;
  paths: Record<string, Record<string, { security?: Record<string, string[]>[]; responses?: unknown }>>;
  components: { securitySchemes: Record<string, Record<string, string>> };
}

/** Sum of a histogram's `_count` samples whose labels include all of `labels`. */
function histogramCount(metrics: string, name: string, labels: Record<string, string>): number {
  let total = 0;
  for (const line of metrics.split('\n')) {
    const m = line.match(new RegExp(`^${name}_count\\{([^}]*)\\} (\\d+(?:\\.\\d+)?)$`));
    if (!m) continue;
    const have = Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) total += Number(m[2]);
  }
  return total;
}

/** Every (method, OpenAPI path) that a Nest controller declares, unless excluded from the docs. */
function declaredRoutes(t: TestApp): string[] {
  const routes: string[] = [];
  for (const module of t.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const ctrl = wrapper.metatype as (new (...args: unknown[]) => unknown) | null;
      if (!ctrl || Reflect.getMetadata('swagger/apiExcludeController', ctrl)) continue;
      const base = [Reflect.getMetadata(PATH_METADATA, ctrl) as string | string[] | undefined].flat()[0] ?? '';
      for (const name of Object.getOwnPropertyNames(ctrl.prototype)) {
        const fn = (ctrl.prototype as Record<string, unknown>)[name];
        if (typeof fn !== 'function' || name === 'constructor') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, fn) as RequestMethod | undefined;
        const sub = Reflect.getMetadata(PATH_METADATA, fn) as string | string[] | undefined;
        if (method === undefined || sub === undefined) continue;
        if (Reflect.getMetadata('swagger/apiExcludeEndpoint', fn)) continue;
        for (const p of [sub].flat()) {
          const path = `/${[base, p].filter((s) => s && s !== '/').join('/')}`.replace(/\/+/g, '/').replace(/:(\w+)/g, '{$1}');
          routes.push(`${RequestMethod[method].toLowerCase()} ${path}`);
        }
      }
    }
  }
  return routes;
}

describe('foundation: ops endpoints, errors, request ids (e2e)', () => {
  let t: TestApp;
  const http = () => request(t.baseUrl);
  const admin = () => ({ Authorization: `Bearer ${t.adminToken}` });

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  describe('liveness, readiness, metrics, docs', () => {
    it('GET / answers liveness', async () => {
      const res = await http().get('/').expect(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(Object.keys(res.body).sort()).toEqual(['service', 'status', 'uptime_s']);
      expect(res.body.status).toBe('ok');
      expect(res.body.service).toBe('turbo-cti');
      expect(Number.isInteger(res.body.uptime_s)).toBe(true);
      expect(res.body.uptime_s).toBeGreaterThanOrEqual(0);
    });

    it('GET /health reports PostgreSQL and Redis up', async () => {
      const res = await http().get('/health').expect(200);
      expect(res.body.status).toBe('ok');
      expect(res.body.error).toEqual({});
      for (const part of ['postgres', 'redis']) {
        expect(res.body.info[part].status).toBe('up');
        expect(typeof res.body.info[part].latency_ms).toBe('number');
        expect(res.body.details[part].status).toBe('up');
      }
      expect(Object.keys(res.body.info).sort()).toEqual(['postgres', 'redis']);
    });

    it('responses carry helmet security headers', async () => {
      const res = await http().get('/').expect(200);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      expect(res.headers['x-powered-by']).toBeUndefined();
    });

    it('GET /metrics is Prometheus text with process metrics and the HTTP histogram by route pattern', async () => {
      const before = (await http().get('/metrics').expect(200)).text;
      const key = { method: 'GET', route: '/api/me', status_code: '401' };
      const base = histogramCount(before, 'http_request_duration_seconds', key);
      for (let i = 0; i < 3; i++) await http().get('/api/me').expect(401);
      const appId = '00000000-0000-4000-8000-000000000000';
      await http().get(`/internal/apps/${appId}`).set(admin()).expect(404);
      await http().get('/no/such/route/15105550100').expect(404);

      const res = await http().get('/metrics').expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = res.text;
      expect(text).toContain('# TYPE http_request_duration_seconds histogram');
      expect(text).toMatch(/^http_request_duration_seconds_bucket\{[^}]*le="0\.005"[^}]*\} \d+$/m);
      expect(histogramCount(text, 'http_request_duration_seconds', key)).toBe(base + 3);
      // the route label is the pattern, never the concrete path (bounded cardinality)
      expect(histogramCount(text, 'http_request_duration_seconds', { route: '/internal/apps/:app_id', status_code: '404' })).toBe(1);
      expect(text).not.toContain(appId);
      expect(histogramCount(text, 'http_request_duration_seconds', { route: 'unmatched', status_code: '404' })).toBeGreaterThanOrEqual(1);
      expect(text).not.toContain('/no/such/route');
      // default process metrics
      for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds']) {
        expect(text).toMatch(new RegExp(`^${name}(\\{[^}]*\\})? [0-9.e+-]+$`, 'm'));
      }
      expect(text).toMatch(/service="turbo-cti"/);
    });

    it('GET /docs-json documents every declared route, and the admin and api-key security schemes', async () => {
      const res = await http().get('/docs-json').expect(200);
      const doc = res.body as OpenApiDoc;
      expect(doc.openapi).toMatch(/^3\./);
      const documented = new Set(Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`)));
      const foundation = [
        'get /',
        'get /health',
        'get /metrics',
        'post /internal/apps',
        'get /internal/apps',
        'get /internal/apps/{app_id}',
        'patch /internal/apps/{app_id}',
        'post /internal/apps/{app_id}/api-key',
        'post /internal/apps/{app_id}/api-key/revoke',
        'get /internal/apps/{app_id}/api-key/status',
        'get /internal/apps/{app_id}/api-key/audit',
        'get /api/me',
      ];
      for (const route of foundation) expect({ route, documented: documented.has(route) }).toEqual({ route, documented: true });
      const declared = declaredRoutes(t);
      expect(declared.length).toBeGreaterThanOrEqual(foundation.length);
      for (const route of declared) expect({ route, documented: documented.has(route) }).toEqual({ route, documented: true });

      expect(doc.components.securitySchemes.admin).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
      expect(doc.components.securitySchemes['api-key']).toMatchObject({ type: 'apiKey', in: 'header', name: 'x-app-api-key' });
      // every /internal route asks for the admin scheme, every /api route for the api key
      for (const [path, ops] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(ops)) {
          const schemes = (op.security ?? []).flatMap((s) => Object.keys(s));
          if (path.startsWith('/internal/')) expect({ route: `${method} ${path}`, schemes }).toEqual({ route: `${method} ${path}`, schemes: ['admin'] });
          // /api/* is the app's (API key), except what is the agent's own: its token refresh (issue 12) and its callbacks (issue 16)
          const apiScheme = path === '/api/agents/token/refresh' || path.startsWith('/api/callbacks') ? 'agent' : 'api-key';
          if (path.startsWith('/api/')) expect({ route: `${method} ${path}`, schemes }).toEqual({ route: `${method} ${path}`, schemes: [apiScheme] });
        }
      }
    });
  });

  describe('request ids', () => {
    it('a valid x-request-id is echoed on success and in error bodies', async () => {
      const ok = await http().get('/').set('x-request-id', 'req-abc.123:XYZ_9').expect(200);
      expect(ok.headers['x-request-id']).toBe('req-abc.123:XYZ_9');
      const err = await http().get('/api/me').set('x-request-id', 'trace-42');
      expectErrorShape(err, 401);
      expect(err.headers['x-request-id']).toBe('trace-42');
      expect(err.body.request_id).toBe('trace-42');
    });

    it('a 128-character id is kept; a 129-character one is replaced', async () => {
      const id128 = 'a'.repeat(128);
      expect((await http().get('/').set('x-request-id', id128).expect(200)).headers['x-request-id']).toBe(id128);
      expect((await http().get('/').set('x-request-id', `${id128}b`).expect(200)).headers['x-request-id']).toMatch(UUID_V4);
    });

    it.each([
      ['300 characters', 'x'.repeat(300)],
      ['spaces', 'has spaces in it'],
      ['a newline-ish / quote payload', 'abc"}{"x'],
      ['slashes', '../../etc/passwd'],
      ['non-ASCII', 'idé'],
    ])('an invalid x-request-id (%s) is replaced with a generated uuid, in the header and the error body', async (_label, id) => {
      const res = await http().get('/api/me').set('x-request-id', id);
      expectErrorShape(res, 401);
      expect(res.headers['x-request-id']).toMatch(UUID_V4);
      expect(res.body.request_id).toBe(res.headers['x-request-id']);
      expect(res.text).not.toContain(id);
    });

    it('without x-request-id every request gets its own uuid', async () => {
      const a = await http().get('/api/me');
      const b = await http().get('/api/me');
      expectErrorShape(a, 401);
      expect(a.body.request_id).toMatch(UUID_V4);
      expect(b.body.request_id).toMatch(UUID_V4);
      expect(a.body.request_id).not.toBe(b.body.request_id);
      const ok = await http().get('/health').expect(200);
      expect(ok.headers['x-request-id']).toMatch(UUID_V4);
    });
  });

  describe('errors', () => {
    it.each([
      ['GET', '/no-such-route'],
      ['GET', '/api/nope'],
      ['POST', '/internal/nope'],
      ['DELETE', '/internal/apps'],
      ['PUT', '/health'],
    ])('unknown route %s %s → 404 JSON with the error shape', async (method, path) => {
      const agent = request(t.baseUrl);
      const verb = method.toLowerCase() as 'get' | 'post' | 'delete' | 'put';
      const res = await agent[verb](path).set(admin()).set('x-request-id', 'unknown-route-1');
      expectErrorShape(res, 404);
      expect(res.body.request_id).toBe('unknown-route-1');
    });

    it('a JSON body over 1 MiB → 413 JSON, nothing created', async () => {
      const body = JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10) });
      const res = await http().post('/internal/apps').set(admin()).set('content-type', 'application/json').send(body);
      expectErrorShape(res, 413);
      expect(res.body.message).toBe('Request body is larger than 1 MiB');
      const list = await http().get('/internal/apps').query({ limit: 200 }).set(admin()).expect(200);
      expect(list.text).not.toContain('xxxxxxxxxx');
    });

    it('a non-JSON body over 1 MiB → 413 JSON as well', async () => {
      const res = await http().post('/internal/apps').set(admin()).set('content-type', 'application/octet-stream').send(Buffer.alloc(1024 * 1024 + 1, 0x61));
      expectErrorShape(res, 413);
    });

    it('a body of exactly 1 MiB is not refused as too large', async () => {
      const prefix = '{"name":"';
      const suffix = '"}';
      const body = prefix + 'y'.repeat(1024 * 1024 - prefix.length - suffix.length) + suffix;
      expect(Buffer.byteLength(body)).toBe(1024 * 1024);
      const res = await http().post('/internal/apps').set(admin()).set('content-type', 'application/json').send(body);
      // passes the size limit and fails validation (name too long), not 413
      expectErrorShape(res, 400);
      expect(res.text.length).toBeLessThan(5000);
    });

    it('prototype-poisoning JSON is refused with 400', async () => {
      const res = await http()
        .post('/internal/apps')
        .set(admin())
        .set('content-type', 'application/json')
        .send('{"name":"x","__proto__":{"isAdmin":true}}');
      expectErrorShape(res, 400);
    });
  });

  // last: it takes this app's Redis connection away and back
  describe('readiness when Redis is down', () => {
    it('GET /health → 503 while Redis is unreachable, 200 again once it is back; liveness stays 200', async () => {
      const redis = t.app.get(RedisService);
      redis.client.disconnect();
      try {
        const res = await http().get('/health');
        expectErrorShape(res, 503);
        expect(res.body.message).toBe('Not ready: redis down');
        await http().get('/').expect(200);
      } finally {
        await redis.client.connect();
      }
      await pollUntil(async () => (await http().get('/health')).status === 200, 5000, 50);
    });
  });
});
