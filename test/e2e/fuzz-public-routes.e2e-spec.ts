import { randomBytes } from 'node:crypto';
import http from 'node:http';
import fc from 'fast-check';
import { SignJWT } from 'jose';
import pg from 'pg';
import type { Response } from 'supertest';
import { WebSocket } from 'ws';
import { mintAgentToken } from '../../src/auth/agent-token.js';
import { signDialpadJwt } from '../../demo/fakes/dialpad-jwt.js';
import { signHmac } from '../../src/webhooks/webhook-signature.js';
import { DIALPAD_FIXTURES, loadFixture } from '../fixtures/dialpad/index.js';
import { expectErrorShape } from '../support/http-expect.js';
import { startTestApp, TestApp } from '../support/test-app.js';
import { CreatedApp, createApp, postJwt, waitFor } from '../support/webhooks.js';

/**
 * Bad-input sweep (issue 8): fast-check throws random and mutated payloads, headers,
 * signatures, tokens, paths and query strings at every public route and asserts
 *  - no 5xx other than 503 (the failing request is printed),
 *  - the process keeps answering (GET / is 200 after every run),
 *  - every error keeps the {statusCode, error, message, request_id} shape,
 *  - no row is created by an unauthenticated or refused request.
 *
 * Routes come from the running app's OpenAPI document (/docs-json), so a new
 * controller is swept without editing this file; /ws is swept with the `ws` client.
 *
 * Phase 1 sends no request that could legitimately write (bad credentials, or the
 * right credentials on read-only routes): the tenant tables must not change.
 * Phase 2 sends correctly signed webhooks over mutated payloads, admin requests and
 * API-key writes with random bodies: each refused one must leave the tables written
 * on the request path as they were. Each phase starts with the exact inputs that
 * once broke a route (regressions), then the random sweep.
 */

// ---------------------------------------------------------------- HTTP without a client's opinions

type Body = string | Uint8Array | { big: number };

interface Req {
  method: string;
  path: string;
  /** an array sends the header once per value */
  headers: Record<string, string | string[]>;
  body?: Body;
  /** Transfer-Encoding: chunked (two chunks) instead of Content-Length */
  chunked?: boolean;
}

interface Res {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  body: unknown;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
let base: URL;
/** the request the last probe sent, named when the process stops answering after it */
let lastRequest: Req | undefined;
/** answers per status code in the current property, printed after it */
const tally = new Map<number, number>();
/** 503s are allowed (the brief: Dialpad retries them) but, with PostgreSQL and Redis up, worth a look: printed */
const unavailable: string[] = [];

function bodyBytes(body: Body | undefined): Buffer | undefined {
  if (body === undefined) return undefined;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return Buffer.from(body);
  return Buffer.alloc(body.big, 0x61);
}

/** node:http directly: any method, any (encoded) path, any header value Node lets through, any bytes. */
function send(r: Req): Promise<Res> {
  return new Promise((resolve, reject) => {
    const payload = bodyBytes(r.body);
    const headers: Record<string, string | string[]> = { ...r.headers };
    // explicit, or Node sends a GET/DELETE/OPTIONS body unframed (the server would read it as the next request)
    if (payload) headers[r.chunked ? 'transfer-encoding' : 'content-length'] = r.chunked ? 'chunked' : String(payload.length);
    const req = http.request({ host: base.hostname, port: base.port, method: r.method, path: r.path, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        if (/json/.test(res.headers['content-type'] ?? '')) {
          try {
            body = JSON.parse(text);
          } catch {
            // left as text: the shape check reports it
          }
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body });
      });
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('no answer within 10 s')));
    if (payload && r.chunked && payload.length >= 2) {
      req.write(payload.subarray(0, payload.length >> 1));
      req.end(payload.subarray(payload.length >> 1));
    } else {
      req.end(payload);
    }
  });
}

function describeBody(body: Body | undefined): string {
  if (body === undefined) return '(none)';
  if (typeof body === 'string') return `${JSON.stringify(body.length > 400 ? body.slice(0, 400) + '…' : body)} (${body.length} chars)`;
  if (body instanceof Uint8Array) return `hex ${Buffer.from(body.subarray(0, 200)).toString('hex')} (${body.length} bytes)`;
  return `${body.big} bytes of "a"`;
}

function describeReq(r: Req): string {
  const path = r.path.length > 300 ? `${r.path.slice(0, 300)}… (${r.path.length} chars)` : r.path;
  return `${r.method} ${path}\n  headers: ${JSON.stringify(r.headers)}\n  body${r.chunked ? ' (chunked)' : ''}: ${describeBody(r.body)}`;
}

/**
 * Sends one request and checks the invariants every answer must keep: no 5xx but
 * 503, the documented error shape, and whatever `verdict` adds (it returns a
 * complaint or null). Throws one readable error naming the request and the answer.
 */
async function probe(r: Req, verdict: (res: Res) => string | null = () => null): Promise<Res> {
  let res: Res;
  lastRequest = r;
  try {
    res = await send(r);
  } catch (err) {
    throw new Error(`no answer (${(err as Error).message}) to\n${describeReq(r)}`, { cause: err });
  }
  tally.set(res.status, (tally.get(res.status) ?? 0) + 1);
  if (res.status === 503) unavailable.push(`${describeReq(r)}\n  answer: ${res.text.slice(0, 300)}`);
  try {
    if (res.status >= 500 && res.status !== 503) throw new Error(`server error ${res.status}`);
    if (res.status >= 400) expectErrorShape({ status: res.status, text: res.text, headers: res.headers, body: res.body } as unknown as Response, res.status);
    const complaint = verdict(res);
    if (complaint) throw new Error(complaint);
  } catch (err) {
    const answer = `${res.status} ${res.text.length > 600 ? res.text.slice(0, 600) + '…' : res.text}`;
    throw new Error(`${(err as Error).message}\nrequest:\n${describeReq(r)}\nanswer: ${answer}`, { cause: err });
  }
  return res;
}

const refused = (res: Res): string | null => (res.status >= 400 && res.status < 500) || res.status === 503 ? null : `expected a refusal (4xx), got ${res.status}`;

// ---------------------------------------------------------------- arbitraries

/** Every byte a header value may carry (Node refuses CR, LF, NUL and code points above U+00FF client-side). */
const headerChar = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
  { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xff }) },
  { weight: 1, arbitrary: fc.constant(0x09) },
).map((c) => String.fromCharCode(c));
const headerValue = (maxLength = 60) => fc.string({ unit: headerChar, maxLength });

/** undefined four times out of five */
const rarely = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });

const hex = (length: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), minLength: length, maxLength: length });
const base62 = (min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'), minLength: min, maxLength: max });

/** Percent-encodes every byte outside RFC 3986's unreserved set (lone surrogates become U+FFFD first). */
function pct(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Characters sent raw in a URL (Node refuses spaces and controls in a path). */
const rawUrlText = fc.string({ unit: fc.constantFrom(...'!"$&\'()*+,-.0123456789:;<=>@ABCXYZ[\\]^_`abcxyz{|}~%é'), maxLength: 20 });

const nastyStrings = fc.constantFrom(
  '', ' ', '0', '-1', '1e309', 'NaN', 'Infinity', 'null', 'undefined', 'true', '[]', '{}', '__proto__', 'constructor',
  'prototype', "' OR 1=1 --", "'; DROP TABLE apps; --", '\u0000', '\u0000abc', '\ud800', '\uffff',
  '😀'.repeat(20),
  '%', '%zz', '%00', '..', '../../etc/passwd',
  '9'.repeat(40),
  '18446744073709551616', '9223372036854775808', '-9223372036854775809', '2026-01-01', '2026-02-30T25:61:00Z', '0000-00-00',
  '+275760-09-13T00:00:00.001Z',
  'a'.repeat(5000),
);

const anyText = (maxLength = 40) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength }) },
    { weight: 2, arbitrary: fc.string({ maxLength }) },
    { weight: 2, arbitrary: nastyStrings },
  );

const QUERY_KEYS = [
  'status', 'direction', 'dialpad_user_id', 'crm_user_id', 'from', 'to', 'limit', 'cursor', 'offset', 'before', 'api_key',
  'token', 'since', 'name', 'is_active', 'app_id', 'response', 'code', 'state', 'error', 'error_description',
];

const queryValue = fc.oneof(
  anyText(30),
  fc.integer().map(String),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom('ended', 'connected', 'inbound', 'outbound', 'pending', 'failed', 'processed', 'dead', '200', '201', '1000', '0', '-5', '1.5'),
  base62(10, 60).map((s) => Buffer.from(s).toString('base64url')),
);

const queryKey = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...QUERY_KEYS) }, { weight: 1, arbitrary: anyText(12) }, {
  weight: 1,
  arbitrary: fc.constantFrom('limit[]', 'limit[0]', 'a[b][c]', '__proto__', 'constructor[prototype]', 'toString', 'hasOwnProperty'),
});

/** A query string: known and random keys, repeated keys, encoded and raw values, and some odd shapes. */
const queryString = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom('', '?', '?&&&', '?=', '?=x', '?limit', '?limit=&limit=', '?%', '?a=%zz', '?a=%00&b=%ff') },
  {
    weight: 6,
    arbitrary: fc
      .array(fc.tuple(queryKey, queryValue, fc.boolean()), { maxLength: 6 })
      .map((pairs) =>
        pairs.length === 0 ? '' : '?' + pairs.map(([k, v, raw]) => (raw ? `${rawSafe(k)}=${rawSafe(v)}` : `${pct(k)}=${pct(v)}`)).join('&'),
      ),
  },
);

/** Text that Node accepts raw in a request target: printable, no space, '#' or '?' left as they are (meaningful). */
function rawSafe(s: string): string {
  return [...Buffer.from(s, 'utf8')].map((b) => (b > 0x20 && b < 0x7f && b !== 0x23 && b !== 0x3f && b !== 0x26 ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0')}`)).join('');
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

const CONTENT_TYPES = [
  'application/json', 'application/json; charset=utf-8', 'application/json; charset=latin1', 'application/json;;',
  'APPLICATION/JSON', 'application/vnd.api+json', 'application/jwt', 'text/plain', 'text/plain; charset=utf-16', 'text/html',
  'application/x-www-form-urlencoded', 'multipart/form-data; boundary=xyz', 'application/octet-stream', '*/*', '', ';',
];
const contentType = fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...CONTENT_TYPES) }, { weight: 1, arbitrary: headerValue(40) });

/** JSON text shaped like an attack on the JSON body parser or the DTO pipeline. */
const weirdJsonText = fc.oneof(
  fc.constantFrom(
    'null', 'true', '0', '1e400', '-0', '""', '"\\u0000"', '"\\ud800"', '[]', '{}', '{"__proto__": {"role": "admin"}}',
    '{"constructor": {"prototype": {"polluted": true}}}', '{"a": 1, "a": 2}', '{"name": "\\u0000"}', '{"name": "\\ud800x"}',
    '{"name": 1e999}', '{"name": ["x"]}', '{"name": {"$gt": ""}}', '{"is_active": "false"}', '{"grace_seconds": 1e308}',
    '{"grace_seconds": -1}', '{"grace_seconds": 99999999999999999999}',
    '{"dialpad_user_id": 123456789012345678901234567890, "crm_user_id": "x"}',
    '{"dialpad_user_id": "1", "crm_user_id": "\\u0000"}',
    '{"dialpad_user_id": "1", "crm_user_id": "x", "email": "a@\\u0000.com"}', '{"mappings": null}', '{"mappings": {}}',
    '{"mappings": [null, 1, "x", []]}', '{"mappings": [{"__proto__": {"x": 1}}]}',
  ),
  fc.integer({ min: 1, max: 50_000 }).map((d) => '['.repeat(d) + ']'.repeat(d)),
  fc.integer({ min: 1, max: 20_000 }).map((d) => '{"a":'.repeat(d) + '1' + '}'.repeat(d)),
  fc.integer({ min: 1, max: 5_000 }).map((d) => `{"mappings": ${'['.repeat(d)}${']'.repeat(d)}}`),
  fc.integer({ min: 1, max: 3_000 }).map((n) => JSON.stringify({ mappings: Array.from({ length: n }, (_, i) => ({ dialpad_user_id: String(i), crm_user_id: `u${i}` })) })),
);

const BODY_KEYS = ['name', 'is_active', 'grace_seconds', 'dialpad_user_id', 'crm_user_id', 'display_name', 'email', 'mappings', 'extra', '__proto__'];
const fieldValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.array(fc.dictionary(fc.constantFrom(...BODY_KEYS), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 5 }), { maxLength: 4 }),
);

/** A request body for /api and /internal routes. */
const apiBody: fc.Arbitrary<Body | undefined> = fc.oneof(
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 3, arbitrary: fc.dictionary(fc.constantFrom(...BODY_KEYS), fieldValue, { maxKeys: 5 }).map((o) => JSON.stringify(o)) },
  { weight: 2, arbitrary: fc.json({ maxDepth: 3 }) },
  { weight: 2, arbitrary: weirdJsonText },
  { weight: 1, arbitrary: anyText(200) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1024 * 1024 + 1, max: 1024 * 1024 + 4096 }).map((big) => ({ big })) },
);

// ---- mutated Dialpad fixtures

const FIXTURE_KEYS = [
  'call_id', 'state', 'event_timestamp', 'event_id', 'event_type', 'dialpad_call_id', 'master_call_id', 'entry_point_call_id',
  'direction', 'date_started', 'date_rang', 'date_connected', 'date_ended', 'duration', 'total_duration', 'target', 'contact',
  'external_number', 'internal_number', 'voicemail_link', 'voicemail_recording_id', 'recording_details', 'call_recording_ids',
  'transcription_text', 'user_id', 'timestamp', 'from', 'to', 'labels', 'exp',
];

/** The JSON text of a value meant to break a parser, a type check or a column. */
const jsonValueText: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      'null', 'true', 'false', '0', '-0', '-1', '0.5', '1e400', '-1e400', '1e-400', '1.7976931348623157e308', '9007199254740993',
      '18446744073709551616', '-9223372036854775809', '99999999999999999999999999999999999999', '""', '"\\u0000"', '"a\\u0000b"',
      '"\\ud800"', '"\\udc00\\ud800"', '"😀"', '"𝔘𝔫𝔦𝔠𝔬𝔡𝔢"', '"‮RTL"', '"calling"', '"ringing"', '"connected"', '"hangup"',
      '"missed"', '"voicemail"', '"voicemail_uploaded"', '"recording"', '"hold"', '"transcription"', '"call.ring"',
      '"__proto__"', '"6410524519120896"', '"2026-01-28T10:30:00Z"', '"not-a-date"', '[]', '{}', '[1,2,3]', '{"id": null}',
      '{"__proto__": {"x": 1}}', '{"id": "x", "email": 5}',
    ),
  },
  { weight: 2, arbitrary: fc.integer({ min: 17, max: 4000 }).map((n) => '9'.repeat(n)) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 400 }).map((n) => `1e${n}`) },
  { weight: 2, arbitrary: fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map(String) },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }).map((s) => JSON.stringify(s)) },
  { weight: 1, arbitrary: fc.integer({ min: 10_000, max: 200_000 }).map((n) => JSON.stringify('x'.repeat(n))) },
  // incompressible: as an id or a timestamp it outgrows a btree index key
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1_500, maxLength: 4_000 }).map((b) => JSON.stringify(Buffer.from(b).toString('base64'))) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 20_000 }).map((d) => '['.repeat(d) + ']'.repeat(d)) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 10_000 }).map((d) => '{"a":'.repeat(d) + 'null' + '}'.repeat(d)) },
  { weight: 1, arbitrary: fc.json({ maxDepth: 3 }) },
);

type Mutation =
  | { kind: 'flip'; at: number; ch: string }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'value'; index: number; value: string }
  | { kind: 'set'; key: string; value: string }
  | { kind: 'remove'; index: number }
  | { kind: 'wrap'; depth: number };

const structuralMutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('set' as const), key: fc.constantFrom(...FIXTURE_KEYS), value: jsonValueText }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('value' as const), index: fc.nat(), value: jsonValueText }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('remove' as const), index: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('set' as const), key: fc.string({ unit: 'binary', maxLength: 12 }), value: jsonValueText }) },
);
const textMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), ch: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.string({ unit: 'binary', maxLength: 8 }), fc.constantFrom('\u0000', '"', '{', ']', ',', '\\', '\\u0000', 'NaN')) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 20 }) }),
  fc.record({ kind: fc.constant('wrap' as const), depth: fc.integer({ min: 1, max: 5000 }) }),
);

/** `"key": <primitive or empty container>` anywhere in a fixture (nested keys too). */
const KEY_VALUE = /("(?:[^"\\]|\\.)*"\s*:\s*)(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|"(?:[^"\\]|\\.)*"|null|true|false|\{\}|\[\])/g;

function mutate(text: string, mutations: Mutation[]): string {
  for (const m of mutations) {
    switch (m.kind) {
      case 'flip': {
        const at = m.at % Math.max(text.length, 1);
        text = text.slice(0, at) + m.ch + text.slice(at + 1);
        break;
      }
      case 'insert': {
        const at = m.at % (text.length + 1);
        text = text.slice(0, at) + m.text + text.slice(at);
        break;
      }
      case 'delete': {
        const at = m.at % Math.max(text.length, 1);
        text = text.slice(0, at) + text.slice(at + m.length);
        break;
      }
      case 'value':
      case 'remove': {
        const matches = [...text.matchAll(KEY_VALUE)];
        if (matches.length === 0) break;
        const hit = matches[m.index % matches.length]!;
        const start = hit.index;
        const end = start + hit[0].length;
        if (m.kind === 'value') {
          text = text.slice(0, start) + hit[1] + m.value + text.slice(end);
        } else {
          // drop the pair and one adjacent comma, so the text usually stays JSON
          const after = /^\s*,/.exec(text.slice(end));
          text = after ? text.slice(0, start) + text.slice(end + after[0].length) : text.slice(0, start).replace(/,\s*$/, '') + text.slice(end);
        }
        break;
      }
      case 'set': {
        const key = JSON.stringify(m.key);
        const at = text.indexOf(`${key}:`) >= 0 ? text.indexOf(`${key}:`) : text.indexOf(`${key} :`);
        const existing = new RegExp(`(${escapeRegExp(key)}\\s*:\\s*)(-?\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?|"(?:[^"\\\\]|\\\\.)*"|null|true|false|\\{\\}|\\[\\])`);
        if (at >= 0 && existing.test(text)) {
          text = text.replace(existing, (_all, prefix: string) => prefix + m.value);
        } else {
          const open = text.indexOf('{');
          text = open >= 0 ? `${text.slice(0, open + 1)}${key}: ${m.value},${text.slice(open + 1)}` : `{${key}: ${m.value}}`;
        }
        break;
      }
      case 'wrap':
        text = '{"a":'.repeat(m.depth) + text + '}'.repeat(m.depth);
        break;
    }
  }
  return text;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

let freshCallIds = 7_000_000_000_000_000n;
/** The event for a call id not used before (the first call_id / dialpad_call_id whose value is a bare number). */
function withFreshCallId(text: string): string {
  const id = String((freshCallIds += 1n));
  return text.replace(/("(?:call_id|dialpad_call_id)"\s*:\s*)\d+/, (_all, prefix: string) => prefix + id);
}

const fixtureTexts = new Map<string, string>(DIALPAD_FIXTURES.map((name) => [name, loadFixture(name)]));
const mutatedFixture = (mutation: fc.Arbitrary<Mutation>, maxMutations = 3) =>
  fc
    .record({ fixture: fc.constantFrom(...DIALPAD_FIXTURES), mutations: fc.array(mutation, { maxLength: maxMutations }) })
    .map(({ fixture, mutations }) => mutate(fixtureTexts.get(fixture)!, mutations));

// ---------------------------------------------------------------- the sweep

/** Tenant tables (those that exist in this schema are counted). */
const COUNTED_TABLES = [
  'apps', 'api_key_audit_log', 'webhook_events', 'calls', 'voicemails', 'dialpad_user_mappings',
  'dialpad_connections', 'dialpad_users', 'dialer_configs', 'dialer_attempts', 'sheets_outbox', 'app_event_streams',
  'sms_messages', 'agent_statuses',
];
/** Written on the request path (calls, voicemails and the like are written later, by the event processor). */
const REQUEST_PATH_TABLES = ['apps', 'api_key_audit_log', 'webhook_events', 'dialpad_user_mappings', 'dialpad_connections', 'dialer_configs'];

type Counts = Record<string, number>;

interface Route {
  method: string;
  template: string;
}

/**
 * CI replays one fixed seed, so a red run is reproducible and never a coin toss;
 * `FUZZ_SEED=random npm test -- --testPathPatterns fuzz` explores new inputs
 * (and prints the seed of any failure, to pin it here as a regression).
 */
if (process.env.FUZZ_SEED !== 'random') fc.configureGlobal({ seed: Number(process.env.FUZZ_SEED ?? 20261122) });

const RUNS = { webhook: 300, api: 250, internalUnauth: 250, internalRead: 250, other: 150, agent: 200, ws: 150, signedWebhook: 250, apiWrite: 100, internalWrite: 250 };

describe('bad-input sweep: fuzzing every public route (e2e)', () => {
  let t: TestApp;
  let db: pg.Pool;
  /** the app whose credentials the fuzzer holds */
  let appA: CreatedApp;
  /** an inactive app */
  let appB: CreatedApp;
  /** an app whose first key was rotated away */
  let appC: CreatedApp;
  let revokedKey: string;
  let routes: Route[];
  let realIds: string[];
  /** Authorization header values that must never pass the admin guard */
  let badAuthorizations: string[];
  let agentTokens: string[];
  /** a valid agent token of app A */
  let agentToken: string;
  /** a correctly signed agent token whose app_id is no uuid */
  let notUuidAgentToken: string;
  /** the webhook receivers: /webhooks/dialpad and its forwarder twin /events/dialpad */
  let webhookBases: string[];

  /** COUNTED_TABLES and REQUEST_PATH_TABLES, less those this schema does not have */
  let countedTables: string[];
  let requestPathTables: string[];

  const counts = async (tables: readonly string[] = countedTables): Promise<Counts> => {
    const { rows } = await db.query<Counts>(`SELECT ${tables.map((n) => `(SELECT count(*)::int FROM ${n}) AS ${n}`).join(', ')}`);
    return rows[0]!;
  };

  const stillAnswering = async (): Promise<void> => {
    const after = () => (lastRequest ? `after\n${describeReq(lastRequest)}` : '');
    let res: Res;
    try {
      res = await send({ method: 'GET', path: '/', headers: {} });
    } catch (err) {
      throw new Error(`GET / got no answer (${(err as Error).message}) ${after()}`, { cause: err });
    }
    if (res.status !== 200) throw new Error(`GET / answered ${res.status} ${after()}: ${res.text.slice(0, 300)}`);
  };

  /** Runs a property with GET / checked after every run and the whole-table counts checked around it. */
  const sweep = async <T>(name: string, arb: fc.Arbitrary<T>, numRuns: number, run: (input: T) => Promise<void>, tables: readonly string[] = countedTables) => {
    const before = tables.length ? await counts(tables) : {};
    const started = Date.now();
    tally.clear();
    unavailable.length = 0;
    await fc.assert(
      fc
        .asyncProperty(arb, async (input) => {
          await run(input);
          await stillAnswering();
        }),
      { numRuns, verbose: fc.VerbosityLevel.None },
    );
    const after = tables.length ? await counts(tables) : {};
    expect({ property: name, rows: after }).toEqual({ property: name, rows: before });
    const statuses = [...tally.entries()].sort(([a], [b]) => a - b).map(([status, n]) => `${status}×${n}`).join(' ');
    console.log(`fuzz: ${name}: ${numRuns} runs in ${Date.now() - started} ms (${statuses})`);
    for (const u of unavailable) console.log(`fuzz: ${name}: 503 with the database and Redis up:\n${u}`);
  };

  const fillPath = (template: string, segments: string[]): string => {
    let i = 0;
    return template.replace(/\{(\w+)\}/g, () => segments[i++ % segments.length] ?? 'x');
  };

  /** A path parameter: real ids of every kind, uuids, numbers, encoded junk and raw junk. */
  const segment = () =>
    fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...realIds) },
      { weight: 2, arbitrary: fc.uuid().map(String) },
      { weight: 2, arbitrary: fc.bigInt({ min: 0n, max: 2n ** 70n }).map(String) },
      { weight: 3, arbitrary: anyText(40).map(pct) },
      { weight: 1, arbitrary: rawUrlText.filter((s) => s.length > 0 && !s.includes('?')) },
      { weight: 1, arbitrary: fc.integer({ min: 900, max: 2_500 }).map((n) => 'a'.repeat(n)) },
    );

  const pathFor = (prefixes: string[], extra: fc.Arbitrary<string>) =>
    fc.oneof(
      {
        weight: 8,
        arbitrary: fc
          .record({
            route: fc.constantFrom(...routes.filter((r) => prefixes.some((p) => r.template.startsWith(p)))),
            segments: fc.array(segment(), { minLength: 3, maxLength: 3 }),
            ownMethod: fc.integer({ min: 0, max: 5 }),
            method: fc.constantFrom(...METHODS),
          })
          .map(({ route, segments, ownMethod, method }) => ({ method: ownMethod > 0 ? route.method : method, path: fillPath(route.template, segments) })),
      },
      { weight: 1, arbitrary: fc.record({ method: fc.constantFrom(...METHODS), path: extra }) },
    );

  beforeAll(async () => {
    t = await startTestApp();
    base = new URL(t.baseUrl);
    db = new pg.Pool({ connectionString: t.db.url, max: 2 });
    const existing = new Set(
      (await db.query<{ t: string }>(`SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public'`)).rows.map((r) => r.t),
    );
    countedTables = COUNTED_TABLES.filter((n) => existing.has(n));
    requestPathTables = REQUEST_PATH_TABLES.filter((n) => existing.has(n));
    appA = await createApp(t, 'Fuzz A');
    appB = await createApp(t, 'Fuzz B (inactive)');
    appC = await createApp(t, 'Fuzz C (rotated)');
    const admin = { authorization: `Bearer ${t.adminToken}`, 'content-type': 'application/json' };
    expect((await send({ method: 'PATCH', path: `/internal/apps/${appB.id}`, headers: admin, body: '{"is_active":false}' })).status).toBe(200);
    revokedKey = appC.api_key;
    expect((await send({ method: 'POST', path: `/internal/apps/${appC.id}/api-key`, headers: admin, body: '{}' })).status).toBeLessThan(300);

    // something to find: calls, a voicemail, events, a user mapping
    for (const fixture of DIALPAD_FIXTURES) expect((await postJwt(t, appA, loadFixture(fixture))).status).toBe(200);
    const mapped = await send({
      method: 'POST',
      path: `/internal/apps/${appA.id}/users/map`,
      headers: admin,
      body: JSON.stringify({ dialpad_user_id: '4785129047965696', crm_user_id: 'river@crm', display_name: 'River', email: 'river.example@example.com' }),
    });
    expect(mapped.status).toBeLessThan(300);
    await waitFor(async () => {
      const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM webhook_events WHERE processed_at IS NULL AND dead_at IS NULL`);
      return rows[0]!.n === 0;
    }, 15_000);

    const ids = await db.query<{ id: string }>(
      `SELECT id::text FROM calls UNION ALL SELECT dialpad_call_id FROM calls UNION ALL SELECT id::text FROM voicemails
       UNION ALL SELECT id::text FROM webhook_events UNION ALL SELECT id::text FROM dialpad_user_mappings`,
    );
    realIds = [appA.id, appB.id, appC.id, ...ids.rows.map((r) => r.id)];

    // every route the service declares (the OpenAPI document lists every controller route)
    const doc = await send({ method: 'GET', path: '/docs-json', headers: {} });
    expect(doc.status).toBe(200);
    const paths = (doc.body as { paths: Record<string, Record<string, unknown>> }).paths;
    routes = Object.entries(paths).flatMap(([template, ops]) => Object.keys(ops).map((m) => ({ method: m.toUpperCase(), template })));
    console.log(`fuzz: ${routes.length} documented routes: ${routes.map((r) => `${r.method} ${r.template}`).join(', ')}`);
    webhookBases = ['/webhooks/dialpad', '/events/dialpad'].filter((b) => routes.some((r) => r.method === 'POST' && r.template === b));
    for (const known of ['POST /webhooks/dialpad/{app_id}', 'POST /webhooks/dialpad', 'GET /api/calls', 'GET /internal/apps', 'GET /']) {
      expect(routes.map((r) => `${r.method} ${r.template}`)).toContain(known);
    }

    const secret = new TextEncoder().encode(t.config.INTERNAL_JWT_SECRET);
    const other = new TextEncoder().encode('not-the-internal-secret-not-the-internal-secret');
    const now = Math.floor(Date.now() / 1000);
    const sign = (claims: Record<string, unknown>, key: Uint8Array, alg = 'HS256') => new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT' }).sign(key);
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const [, adminPayload, adminSig] = t.adminToken.split('.');
    const tokens = [
      await sign({ role: 'admin', sub: 'x' }, other),
      await sign({ role: 'agent', sub: 'x' }, secret),
      await sign({ role: 'ADMIN', sub: 'x' }, secret),
      await sign({ role: ['admin'], sub: 'x' }, secret),
      await sign({ role: 'admin', exp: now - 60 }, secret),
      await sign({ role: 'admin', nbf: now + 3600 }, secret),
      await sign({ role: 'admin', exp: 'tomorrow' }, secret),
      await sign({ role: 'admin' }, secret, 'HS512'),
      `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ role: 'admin' })}.`,
      `${b64({ alg: 'HS256', typ: 'JWT' })}.${adminPayload}.`,
      `${b64({ alg: 'none' })}.${adminPayload}.${adminSig}`,
      // the admin token with its claims tampered (the signature covers the encoded text: any change breaks it)
      `${t.adminToken.split('.')[0]}.${b64({ role: 'admin', sub: 'mallory' })}.${adminSig}`,
      t.adminToken.slice(1),
      t.adminToken.replace(/\./, '..'),
    ];
    badAuthorizations = [...tokens.map((x) => `Bearer ${x}`), `Basic ${Buffer.from('admin:admin').toString('base64')}`, `Bearer`, `Bearer  `, t.adminToken, `Token ${t.adminToken}`, `Bearer ${t.adminToken} extra`];
    agentToken = (await mintAgentToken(t.config.INTERNAL_JWT_SECRET, appA.id, 'agent@example.com', 600)).token;
    notUuidAgentToken = (await mintAgentToken(t.config.INTERNAL_JWT_SECRET, 'not-a-uuid', 'agent@example.com', 600)).token;
    agentTokens = [
      agentToken,
      notUuidAgentToken,
      (await mintAgentToken(t.config.INTERNAL_JWT_SECRET, appB.id, 'agent@example.com', 600)).token,
      (await mintAgentToken(t.config.INTERNAL_JWT_SECRET, '00000000-0000-4000-8000-000000000000', 'agent@example.com', 600)).token,
      (await mintAgentToken(t.config.INTERNAL_JWT_SECRET, appA.id, 'agent@example.com', -600)).token,
      (await mintAgentToken('wrong-secret', appA.id, 'agent@example.com', 600)).token,
      t.adminToken,
    ];
  }, 60_000);

  afterAll(async () => {
    agent.destroy();
    await db?.end();
    await t?.close();
  });

  // ------------------------------------------------------------ phase 1: nothing may be written

  describe('phase 1: refused or read-only input writes nothing', () => {
    it('inputs the sweep once broke are answered 4xx in the error shape (regressions)', async () => {
      const before = await counts();
      const expectStatus = (status: number) => (res: Res) => (res.status === status ? null : `expected ${status}`);
      // malformed URL and over-long parameter: refused by fastify's router before any hook or filter
      await probe({ method: 'GET', path: '/internal/apps/%', headers: {} }, expectStatus(400));
      await probe({ method: 'GET', path: `/internal/apps/${'a'.repeat(1200)}`, headers: {} }, expectStatus(414));
      // a byte Node's HTTP parser refuses: answered in the shape, and the connection closed cleanly
      const refusedByParser = await probe({ method: 'GET', path: '/internal/apps/\u00e9', headers: {} }, expectStatus(400));
      expect(refusedByParser.headers.connection).toBe('close');
      // a malformed Content-Type on a webhook is read as raw bytes (here: unsigned, so 401), not refused with 415
      await probe({ method: 'POST', path: `/webhooks/dialpad/${appA.id}`, headers: { 'content-type': ';' }, body: '{}' }, expectStatus(401));
      // a well-signed agent token naming no uuid app: 401, not a failed query
      if (routes.some((r) => r.template === '/session/current')) {
        await probe({ method: 'GET', path: '/session/current', headers: { authorization: `Bearer ${notUuidAgentToken}` } }, expectStatus(401));
      }
      const ws = await new Promise<number>((resolve) => {
        const socket = new WebSocket(`${t.baseUrl.replace(/^http/, 'ws')}/ws?token=${notUuidAgentToken}`);
        socket.once('open', () => (socket.close(), resolve(101)));
        socket.once('unexpected-response', (_req, res) => (res.resume(), resolve(res.statusCode ?? 0)));
        socket.once('error', () => resolve(0));
      });
      expect(ws).toBe(401);
      expect(await counts()).toEqual(before);
    });

    it('webhooks: random bodies, content-types, signatures and tenant headers are refused', async () => {
      const secretA = () => appA.webhook_secret;
      const nowS = () => String(Math.floor(Date.now() / 1000));
      const body: fc.Arbitrary<Body> = fc.oneof(
        { weight: 2, arbitrary: anyText(300) },
        { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }) },
        { weight: 2, arbitrary: fc.json({ maxDepth: 4 }) },
        { weight: 1, arbitrary: weirdJsonText },
        { weight: 4, arbitrary: mutatedFixture(fc.oneof(structuralMutation, textMutation)) },
        { weight: 1, arbitrary: fc.tuple(base62(1, 40), base62(1, 200), base62(0, 43)).map(([a, b, c]) => `${a}.${b}.${c}`) },
        { weight: 1, arbitrary: fc.integer({ min: 1024 * 1024 + 1, max: 1024 * 1024 + 4096 }).map((big) => ({ big })) },
      );
      // signatures that must fail: random, malformed, over another secret, or right but stale
      type Sig = { kind: 'none' } | { kind: 'random'; value: string } | { kind: 'wrong-secret' } | { kind: 'stale'; ageS: number } | { kind: 'future'; aheadS: number };
      const sig: fc.Arbitrary<Sig> = fc.oneof(
        fc.constant({ kind: 'none' as const }),
        fc.oneof(hex(64), headerValue(80), hex(64).map((h) => `sha256=${h}`), hex(63), hex(65)).map((value) => ({ kind: 'random' as const, value })),
        fc.constant({ kind: 'wrong-secret' as const }),
        fc.integer({ min: 301, max: 10 ** 8 }).map((ageS) => ({ kind: 'stale' as const, ageS })),
        fc.integer({ min: 301, max: 10 ** 8 }).map((aheadS) => ({ kind: 'future' as const, aheadS })),
      );
      const timestamp = fc.option(fc.oneof(fc.constant('now'), hex(10), fc.bigInt({ min: 0n, max: 10n ** 25n }).map(String), headerValue(20)), { nil: undefined });
      const target = fc.tuple(
        fc.constantFrom(...webhookBases),
        fc.oneof(
          fc.constant(`/${appA.id}`),
          fc.constant(`/${appB.id}`),
          fc.constant(`/${appC.id}`),
          fc.constant(''),
          fc.constant('/'),
          fc.uuid().map((u) => `/${u}`),
          segment().map((s) => `/${s}`),
          queryString.map((q) => `/${appA.id}${q}`),
        ),
      ).map(([baseUrl, rest]) => baseUrl + rest);
      const tenantHeaders = fc.record(
        {
          'x-app-api-key': fc.oneof(fc.constant(appA.api_key), fc.constant(appB.api_key), fc.constant(revokedKey), base62(32, 40).map((s) => `ctk_${s}`), headerValue(60)),
          'x-dialpad-org-id': fc.oneof(fc.bigInt({ min: 0n, max: 10n ** 33n }).map(String), headerValue(40)),
          'x-request-id': fc.oneof(fc.uuid().map(String), headerValue(80)),
        },
        { requiredKeys: [] },
      );
      const input = fc.record({
        method: fc.oneof({ weight: 9, arbitrary: fc.constant('POST') }, { weight: 1, arbitrary: fc.constantFrom(...METHODS) }),
        target,
        body: fc.option(body, { nil: undefined, freq: 20 }),
        contentType: fc.option(contentType, { nil: undefined }),
        sig,
        timestamp,
        tenant: tenantHeaders,
        chunked: fc.boolean(),
        duplicateSignature: rarely(hex(64)),
      });
      await sweep('webhooks, unsigned or badly signed', input, RUNS.webhook, async (x) => {
        const headers: Record<string, string | string[]> = { ...x.tenant };
        if (x.contentType !== undefined) headers['content-type'] = x.contentType;
        const raw = bodyBytes(x.body) ?? Buffer.alloc(0);
        let ts = x.timestamp === 'now' ? nowS() : x.timestamp;
        switch (x.sig.kind) {
          case 'none':
            break;
          case 'random':
            headers['x-dialpad-signature'] = x.sig.value;
            break;
          case 'wrong-secret':
            headers['x-dialpad-signature'] = signHmac(raw, `${secretA()}x`, ts);
            break;
          case 'stale':
          case 'future':
            // the right secret, outside the 5-minute window
            ts = String(Math.floor(Date.now() / 1000) + (x.sig.kind === 'stale' ? -x.sig.ageS : x.sig.aheadS));
            headers['x-dialpad-signature'] = signHmac(raw, secretA(), ts);
            break;
        }
        if (ts !== undefined) headers['x-dialpad-timestamp'] = ts;
        const sent = headers['x-dialpad-signature'];
        if (x.duplicateSignature !== undefined && typeof sent === 'string') headers['x-dialpad-signature'] = [sent, x.duplicateSignature];
        await probe({ method: x.method, path: x.target, headers, body: x.body, chunked: x.chunked }, refused);
      });
    }, 60_000);

    it('webhooks: JWT bodies that must fail (wrong secret, expired, wrong algorithm, tampered)', async () => {
      const claims = mutatedFixture(structuralMutation, 2);
      const input = fc.record({
        json: claims,
        attack: fc.constantFrom('wrong-secret', 'expired', 'hs512', 'none', 'tampered', 'truncated', 'other-app'),
        route: fc.constantFrom('url', 'api-key-header', 'url-inactive'),
        base: fc.constantFrom(...webhookBases),
        contentType: fc.option(contentType, { nil: undefined }),
      });
      await sweep('webhooks, JWTs that must fail', input, RUNS.webhook / 2, async (x) => {
        const secret = x.attack === 'other-app' ? appC.webhook_secret : x.attack === 'wrong-secret' ? `${appA.webhook_secret}x` : appA.webhook_secret;
        let body: string;
        if (x.attack === 'expired') {
          const withExp = mutate(x.json, [{ kind: 'set', key: 'exp', value: String(Math.floor(Date.now() / 1000) - 10) }]);
          body = signDialpadJwt(withExp, secret);
        } else if (x.attack === 'hs512' || x.attack === 'none') {
          const header = Buffer.from(JSON.stringify({ alg: x.attack === 'none' ? 'none' : 'HS512', typ: 'JWT' })).toString('base64url');
          const payload = Buffer.from(x.json).toString('base64url');
          const jwt = signDialpadJwt(x.json, secret);
          body = `${header}.${payload}.${x.attack === 'none' ? '' : jwt.split('.')[2]}`;
        } else {
          body = signDialpadJwt(x.json, secret);
          if (x.attack === 'tampered') {
            const [h, , s] = body.split('.');
            body = `${h}.${Buffer.from(x.json + ' ').toString('base64url')}.${s}`;
          }
          if (x.attack === 'truncated') body = body.slice(0, -4);
        }
        const headers: Record<string, string> = {};
        if (x.contentType !== undefined) headers['content-type'] = x.contentType;
        let path = `${x.base}/${appA.id}`;
        if (x.route === 'api-key-header') {
          path = x.base;
          headers['x-app-api-key'] = appA.api_key;
        } else if (x.route === 'url-inactive') {
          path = `${x.base}/${appB.id}`;
        }
        // an expired JWT over a payload that is not an object can also be refused as 400
        await probe({ method: 'POST', path, headers, body }, refused);
      });
    }, 60_000);

    it('/api/*: random API keys, query strings, path ids and bodies', async () => {
      const apiKey = fc.option(
        fc.oneof(
          { weight: 3, arbitrary: fc.constant(appA.api_key) },
          { weight: 1, arbitrary: fc.constantFrom(appB.api_key, revokedKey, ` ${appA.api_key}`, appA.api_key.toUpperCase(), appA.api_key.slice(0, -1), `${appA.api_key}x`) },
          { weight: 1, arbitrary: base62(32, 40).map((s) => `ctk_${s}`) },
          { weight: 1, arbitrary: headerValue(80) },
        ),
        { nil: undefined },
      );
      const input = fc.record({
        target: pathFor(['/api/'], anyText(30).map((s) => `/api/${pct(s)}`)),
        query: queryString,
        apiKey,
        body: apiBody,
        contentType: fc.option(contentType, { nil: undefined }),
        requestId: fc.option(headerValue(80), { nil: undefined }),
        secondKey: rarely(fc.oneof(fc.constant(appA.api_key), headerValue(40))),
      });
      await sweep('/api, random keys and queries', input, RUNS.api, async (x) => {
        const headers: Record<string, string> = {};
        if (x.apiKey !== undefined) headers['x-app-api-key'] = x.apiKey;
        if (x.contentType !== undefined) headers['content-type'] = x.contentType;
        if (x.requestId !== undefined) headers['x-request-id'] = x.requestId;
        // a write with a valid key could legitimately create rows: this phase only reads with it
        const method = x.apiKey?.trim() === appA.api_key && x.target.method !== 'GET' ? 'GET' : x.target.method;
        // the header twice: Node joins the values (", "), which is no valid key
        const sent: Record<string, string | string[]> = { ...headers };
        if (x.apiKey !== undefined && x.secondKey !== undefined) sent['x-app-api-key'] = [x.apiKey, x.secondKey];
        await probe({ method, path: x.target.path + x.query, headers: sent, body: x.body }, (res) => {
          if (res.status < 300 && Array.isArray(sent['x-app-api-key'])) return `answered ${res.status} to a doubled x-app-api-key`;
          if (res.status < 300 && x.apiKey?.trim() !== appA.api_key) return `answered ${res.status} without a valid API key`;
          return null;
        });
      });
    }, 60_000);

    it('/internal/*: random and forged bearer tokens are refused on every route and method', async () => {
      const authorization = fc.option(
        fc.oneof(
          { weight: 3, arbitrary: fc.constantFrom(...badAuthorizations) },
          { weight: 1, arbitrary: headerValue(120) },
          { weight: 1, arbitrary: headerValue(120).map((s) => `Bearer ${s}`) },
          { weight: 1, arbitrary: fc.tuple(base62(10, 40), base62(10, 120), base62(0, 43)).map(([a, b, c]) => `Bearer ${a}.${b}.${c}`) },
        ),
        { nil: undefined },
      );
      const input = fc.record({
        target: pathFor(['/internal/'], anyText(30).map((s) => `/internal/${pct(s)}`)),
        query: queryString,
        authorization,
        apiKey: fc.option(fc.constant(appA.api_key), { nil: undefined }),
        body: apiBody,
        contentType: fc.option(contentType, { nil: undefined }),
        chunked: fc.boolean(),
      });
      await sweep('/internal, bad tokens', input, RUNS.internalUnauth, async (x) => {
        const headers: Record<string, string> = {};
        if (x.authorization !== undefined) headers.authorization = x.authorization;
        if (x.apiKey !== undefined) headers['x-app-api-key'] = x.apiKey;
        if (x.contentType !== undefined) headers['content-type'] = x.contentType;
        await probe({ method: x.target.method, path: x.target.path + x.query, headers, body: x.body, chunked: x.chunked }, refused);
      });
    }, 60_000);

    it('/internal/* reads with the admin token: random params and query strings', async () => {
      const input = fc.record({
        target: pathFor(['/internal/'], anyText(30).map((s) => `/internal/${pct(s)}`)),
        query: queryString,
        body: fc.option(apiBody, { nil: undefined, freq: 4 }),
        contentType: fc.option(contentType, { nil: undefined }),
      });
      await sweep('/internal, admin reads', input, RUNS.internalRead, async (x) => {
        const headers: Record<string, string> = { authorization: `Bearer ${t.adminToken}` };
        if (x.contentType !== undefined) headers['content-type'] = x.contentType;
        // GET only: the admin's writes run in phase 2
        await probe({ method: 'GET', path: x.target.path + x.query, headers, body: x.body });
      });
    }, 60_000);

    it('every other path: health, metrics, docs and random paths with random methods', async () => {
      const input = fc.record({
        target: pathFor(
          ['/'],
          fc.oneof(
            anyText(40).map((s) => `/${pct(s)}`),
            rawUrlText.map((s) => `/${s.replace(/[?#]/g, '')}`),
            fc.constantFrom('//', '/./', '/../', '/%2e%2e/', '/ws', '/api', '/internal', '/webhooks', '/webhooks/dialpad/..', '/docs', '/docs/', '/docs-json/x'),
          ),
        ),
        query: queryString,
        headers: fc.dictionary(fc.constantFrom('x-request-id', 'x-forwarded-for', 'accept', 'accept-encoding', 'x-dialpad-org-id', 'origin', 'cookie', 'range', 'if-none-match', 'x-http-method-override'), headerValue(60), { maxKeys: 4 }),
        body: fc.option(apiBody, { nil: undefined, freq: 3 }),
        contentType: fc.option(contentType, { nil: undefined }),
      });
      await sweep('other paths', input, RUNS.other, async (x) => {
        const headers: Record<string, string> = { ...x.headers };
        if (x.contentType !== undefined) headers['content-type'] = x.contentType;
        await probe({ method: x.target.method, path: x.target.path + x.query, headers, body: x.body });
      });
    }, 60_000);

    it('dialer (agent token) and Dialpad OAuth routes: forged tokens, random bodies and OAuth queries', async () => {
      const prefixes = ['/session', '/dial', '/disposition', '/auth/'];
      if (!routes.some((r) => prefixes.some((p) => r.template.startsWith(p)))) return;
      const authorization = fc.option(
        fc.oneof(
          { weight: 3, arbitrary: fc.constantFrom(...agentTokens.filter((x) => x !== agentToken).map((x) => `Bearer ${x}`), ...badAuthorizations) },
          // the right credentials, used below only where they cannot write (GET)
          { weight: 2, arbitrary: fc.constantFrom(`Bearer ${agentToken}`, `Bearer ${t.adminToken}`) },
          { weight: 1, arbitrary: headerValue(120).map((v) => `Bearer ${v}`) },
        ),
        { nil: undefined },
      );
      const input = fc.record({
        target: pathFor(prefixes, anyText(30).map((v) => `/session/${pct(v)}`)),
        query: queryString,
        authorization,
        apiKey: rarely(fc.constantFrom(appA.api_key, appB.api_key, revokedKey)),
        body: apiBody,
        contentType: fc.option(contentType, { nil: undefined }),
      });
      await sweep('dialer and OAuth routes', input, RUNS.agent, async (x) => {
        const headers: Record<string, string> = {};
        const credentialed = x.authorization === `Bearer ${agentToken}` || x.authorization === `Bearer ${t.adminToken}` || x.apiKey === appA.api_key;
        // with a credential that works, only read (the dialer's writes may call Dialpad)
        const method = credentialed && x.target.method !== 'GET' ? 'GET' : x.target.method;
        if (x.authorization !== undefined) headers.authorization = x.authorization;
        if (x.apiKey !== undefined) headers['x-app-api-key'] = x.apiKey;
        if (x.contentType !== undefined) headers['content-type'] = x.contentType;
        await probe({ method, path: x.target.path + x.query, headers, body: x.body }, (res) =>
          res.status < 400 && !credentialed ? `answered ${res.status} without a valid credential` : null,
        );
      });
    }, 60_000);

    it('/ws upgrades with random query strings and keys: an open socket or a 4xx refusal', async () => {
      const wsValue = fc.oneof(
        { weight: 2, arbitrary: queryValue },
        { weight: 2, arbitrary: fc.constantFrom(appA.api_key, appB.api_key, revokedKey, ...agentTokens) },
        { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: 2n ** 80n }).map(String) },
      );
      const input = fc.record({
        path: fc.oneof({ weight: 9, arbitrary: fc.constant('/ws') }, { weight: 1, arbitrary: fc.constantFrom('/ws/', '/ws/x', '/WS', '/wsx', '/', '/api/calls', '/ws%00', '/ws/..') }),
        pairs: fc.array(fc.tuple(fc.oneof({ weight: 3, arbitrary: fc.constantFrom('api_key', 'token', 'since', 'dialpad_user_id', 'crm_user_id') }, { weight: 1, arbitrary: queryKey }), wsValue, fc.boolean()), {
          maxLength: 5,
        }),
        apiKeyHeader: fc.option(fc.oneof(fc.constantFrom(appA.api_key, appB.api_key, revokedKey), headerValue(60)), { nil: undefined }),
      });
      await sweep('/ws upgrades', input, RUNS.ws, async (x) => {
        const query = x.pairs.length ? '?' + x.pairs.map(([k, v, raw]) => (raw ? `${rawSafe(k)}=${rawSafe(v)}` : `${pct(k)}=${pct(v)}`)).join('&') : '';
        const url = `${t.baseUrl.replace(/^http/, 'ws')}${x.path}${query}`;
        const headers: Record<string, string> = {};
        if (x.apiKeyHeader !== undefined) headers['x-app-api-key'] = x.apiKeyHeader;
        const outcome = await new Promise<string>((resolve) => {
          let socket: WebSocket;
          try {
            socket = new WebSocket(url, { headers, handshakeTimeout: 5_000 });
          } catch (err) {
            // the client itself refused the URL: nothing reached the server
            resolve(`client:${(err as Error).message}`);
            return;
          }
          socket.once('open', () => {
            socket.close();
            resolve('open');
          });
          socket.once('unexpected-response', (_req, res) => {
            res.resume();
            resolve(`http:${res.statusCode ?? 0}`);
            socket.terminate();
          });
          socket.once('error', (err) => resolve(`error:${err.message}`));
        });
        // KNOWN (reported): an upgrade to any path but /ws is dropped without an HTTP answer by
        // @nestjs/platform-ws (socket.destroy()), so only /ws itself must answer in HTTP
        const dropped = x.path !== '/ws' && outcome === 'error:socket hang up';
        const code = outcome === 'open' ? 101 : outcome.startsWith('http:') ? Number(outcome.slice(5)) : 0;
        tally.set(code, (tally.get(code) ?? 0) + 1);
        const ok = outcome === 'open' || outcome.startsWith('client:') || /^http:(4\d\d|503)$/.test(outcome) || dropped;
        if (!ok) throw new Error(`upgrade ${url} (x-app-api-key: ${JSON.stringify(x.apiKeyHeader)}) ended with ${outcome}`);
      });
    }, 60_000);
  });

  // ------------------------------------------------------------ phase 2: authenticated writers

  describe('phase 2: correctly authenticated writers, refused input still writes nothing', () => {
    it('inputs the sweep once broke are answered 4xx in the error shape, or accepted (regressions)', async () => {
      const before = await counts(requestPathTables);
      const expectStatus = (status: number) => (res: Res) => (res.status === status ? null : `expected ${status}`);
      const admin = { authorization: `Bearer ${t.adminToken}`, 'content-type': 'application/json' };
      // JSON nested deeper than class-transformer's recursion can go (was a 500)
      await probe({ method: 'POST', path: '/internal/apps', headers: admin, body: '['.repeat(1300) + ']'.repeat(1300) }, expectStatus(400));
      // a lone surrogate escape made validator's isEmail throw URIError (was a 500)
      await probe(
        { method: 'POST', path: '/api/agents/token', headers: { 'x-app-api-key': appA.api_key, 'content-type': 'application/json' }, body: '{"agent_email":"\\ud800"}' },
        expectStatus(400),
      );
      // a signed event whose derived id (call_id:state:event_timestamp) is too large for the unique index
      // (was a 503 for ever: Dialpad would retry a poison event)
      const stamp = JSON.stringify(randomBytes(2000).toString('base64'));
      const longId = mutate(withFreshCallId(fixtureTexts.get('inbound-ringing.json')!), [{ kind: 'set', key: 'event_timestamp', value: stamp }]);
      await probe({ method: 'POST', path: `/webhooks/dialpad/${appA.id}`, headers: { 'content-type': 'application/jwt' }, body: signDialpadJwt(longId, appA.webhook_secret) }, expectStatus(400));
      expect(await counts(requestPathTables)).toEqual(before);
      // a correctly signed event with a malformed Content-Type is stored (was a 415: Dialpad never retries a 4xx)
      const fresh = withFreshCallId(fixtureTexts.get('inbound-ringing.json')!);
      await probe({ method: 'POST', path: `/webhooks/dialpad/${appA.id}`, headers: { 'content-type': ';' }, body: signDialpadJwt(fresh, appA.webhook_secret) }, expectStatus(200));
    });

    it('webhooks: valid JWTs and HMACs over mutated fixtures are stored once or refused with 4xx', async () => {
      const input = fc.record({
        json: fc.oneof({ weight: 4, arbitrary: mutatedFixture(structuralMutation, 3) }, { weight: 1, arbitrary: mutatedFixture(textMutation, 2) }),
        // most runs post a call never seen before, so the event is stored and reaches the processor
        fresh: fc.nat({ max: 3 }).map((n) => n > 0),
        format: fc.constantFrom('jwt', 'hmac', 'hmac-ts'),
        viaHeader: fc.boolean(),
        base: fc.constantFrom(...webhookBases),
        contentType: fc.option(contentType, { nil: undefined }),
      });
      let stored = 0;
      await sweep(
        'webhooks, signed mutated fixtures',
        input,
        RUNS.signedWebhook,
        async (x) => {
          const headers: Record<string, string> = {};
          if (x.contentType !== undefined) headers['content-type'] = x.contentType;
          const json = x.fresh ? withFreshCallId(x.json) : x.json;
          let body: string = json;
          if (x.format === 'jwt') {
            body = signDialpadJwt(json, appA.webhook_secret);
          } else {
            const ts = x.format === 'hmac-ts' ? String(Date.now()) : undefined;
            // sign the bytes that go on the wire (lone surrogates become U+FFFD in UTF-8)
            headers['x-dialpad-signature'] = signHmac(Buffer.from(json, 'utf8'), appA.webhook_secret, ts);
            if (ts) headers['x-dialpad-timestamp'] = ts;
          }
          let path = `${x.base}/${appA.id}`;
          if (x.viaHeader) {
            path = x.base;
            headers['x-app-api-key'] = appA.api_key;
          }
          const before = await counts(requestPathTables);
          const res = await probe({ method: 'POST', path, headers, body }, (r) => {
            if (r.status === 200) {
              const b = r.body as { received?: unknown; event_id?: unknown; dialpad_event_id?: unknown; duplicate?: unknown };
              if (b.received !== true || typeof b.event_id !== 'string' || typeof b.dialpad_event_id !== 'string' || typeof b.duplicate !== 'boolean') {
                return 'a 200 without {received, event_id, dialpad_event_id, duplicate}';
              }
              return null;
            }
            if (r.status === 401 && !(x.format === 'jwt' && /"(exp|nbf|iat)"\s*:/.test(json))) return 'a correctly signed event was refused as unauthenticated';
            if (r.status === 400 || r.status === 401 || r.status === 413 || r.status === 503) return null;
            return `expected 200, 400 or 413, got ${r.status}`;
          });
          const after = await counts(requestPathTables);
          const expected = { ...before };
          if (res.status === 200 && !(res.body as { duplicate: boolean }).duplicate) {
            expected.webhook_events = (expected.webhook_events ?? 0) + 1;
            stored += 1;
          }
          if (JSON.stringify(after) !== JSON.stringify(expected)) {
            throw new Error(`rows changed unexpectedly after a ${res.status}: before ${JSON.stringify(before)}, after ${JSON.stringify(after)}\nbody: ${describeBody(body)}`);
          }
        },
        // accepted events are stored: the property checks every request's own delta instead
        [],
      );
      console.log(`fuzz: ${stored} mutated events accepted and stored`);

      // the processor survives whatever was accepted: nothing is left unprocessed for long
      await waitFor(async () => {
        const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM webhook_events WHERE processed_at IS NULL AND dead_at IS NULL AND attempts = 0`);
        return rows[0]!.n === 0;
      }, 20_000);
      const failed = await db.query<{ id: string; event_type: string; last_error: string; payload: string }>(
        `SELECT id::text, event_type, last_error, left(payload::text, 300) AS payload FROM webhook_events WHERE last_error IS NOT NULL ORDER BY id`,
      );
      // KNOWN (reported, not fixed here): a number too large for a double, written with an exponent (1e70),
      // is kept as its source text "1e70" at ingest and passes as a state, event_type or event_id; jsonb then
      // stores it expanded (1000…0), so the processor's own normalisation refuses it and the event is
      // retried into the dead letter. Any other processing failure of an accepted event fails the sweep.
      const KNOWN = /^cannot normalise stored event: (state must be a word|event_type must be a dotted name|event_id must be an integer)/;
      const unexpected = failed.rows.filter((row) => !KNOWN.test(row.last_error));
      for (const row of failed.rows) {
        const tag = KNOWN.test(row.last_error) ? 'KNOWN: ' : '';
        console.log(`fuzz: ${tag}event ${row.id} (${row.event_type}) failed in processing: ${row.last_error}\n  payload: ${row.payload}`);
      }
      expect(unexpected.map((row) => `${row.id} ${row.event_type}: ${row.last_error}\n  payload: ${row.payload}`)).toEqual([]);
      await stillAnswering();
    }, 90_000);

    it('/api/* writes with a valid API key: random bodies and queries', async () => {
      const writes = routes.filter((r) => r.template.startsWith('/api/') && r.method !== 'GET');
      if (writes.length === 0) return;
      const input = fc.record({
        route: fc.constantFrom(...writes),
        segments: fc.array(segment(), { minLength: 3, maxLength: 3 }),
        query: queryString,
        body: fc.oneof(
          { weight: 2, arbitrary: apiBody },
          {
            weight: 1,
            arbitrary: fc
              .record({ agent_email: fc.oneof(fc.emailAddress(), anyText(40)), ttl_seconds: fc.jsonValue() }, { requiredKeys: [] })
              .map((o) => JSON.stringify(o)),
          },
        ),
        contentType: fc.option(contentType, { nil: undefined, freq: 3 }),
      });
      await sweep(
        '/api, writes with a valid key',
        input,
        RUNS.apiWrite,
        async (x) => {
          const headers: Record<string, string> = { 'x-app-api-key': appA.api_key, 'content-type': x.contentType ?? 'application/json' };
          const before = await counts(requestPathTables);
          const res = await probe({ method: x.route.method, path: fillPath(x.route.template, x.segments) + x.query, headers, body: x.body });
          if (res.status >= 400) {
            const after = await counts(requestPathTables);
            if (JSON.stringify(after) !== JSON.stringify(before)) throw new Error(`a refused (${res.status}) write changed rows: ${JSON.stringify(before)} → ${JSON.stringify(after)}`);
          }
        },
        [],
      );
    }, 60_000);

    it('/internal/* with the admin token: random bodies, params and queries on every route and method', async () => {
      const input = fc.record({
        target: pathFor(['/internal/'], anyText(30).map((s) => `/internal/${pct(s)}`)),
        query: queryString,
        body: apiBody,
        contentType: fc.option(contentType, { nil: undefined, freq: 3 }),
        chunked: fc.nat({ max: 4 }).map((n) => n === 0),
      });
      await sweep(
        '/internal, admin writes',
        input,
        RUNS.internalWrite,
        async (x) => {
          const headers: Record<string, string> = { authorization: `Bearer ${t.adminToken}` };
          headers['content-type'] = x.contentType ?? 'application/json';
          const before = await counts(requestPathTables);
          const res = await probe({ method: x.target.method, path: x.target.path + x.query, headers, body: x.body, chunked: x.chunked });
          if (res.status >= 400) {
            const after = await counts(requestPathTables);
            if (JSON.stringify(after) !== JSON.stringify(before)) {
              throw new Error(`a refused (${res.status}) ${x.target.method} ${x.target.path} changed rows: ${JSON.stringify(before)} → ${JSON.stringify(after)}`);
            }
          }
        },
        [],
      );
    }, 60_000);
  });
});
