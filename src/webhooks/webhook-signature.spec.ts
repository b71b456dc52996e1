import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { jwtVerify } from 'jose';
import { loadFixture } from '../../test/fixtures/dialpad/index.js';
import { signDialpadJwt } from '../../demo/fakes/dialpad-jwt.js';
import { decodeWebhookBody, signHmac, type DecodeResult } from './webhook-signature.js';

const SECRET = 'whsec_test_0123456789abcdef';
const NOW_MS = Date.UTC(2024, 10, 15, 12, 0, 0);
const NOW_S = Math.floor(NOW_MS / 1000);

const body = (text: string): Buffer => Buffer.from(text, 'utf8');
const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A compact JWS signed with any header and any HMAC hash, to test what we refuse. */
function handMadeJws(header: object, payloadJson: string, secret: string, hash = 'sha256'): string {
  const signingInput = `${b64(header)}.${Buffer.from(payloadJson).toString('base64url')}`;
  return `${signingInput}.${createHmac(hash, secret).update(signingInput).digest('base64url')}`;
}

function expectFailure(result: DecodeResult, status: 400 | 401, code: string): void {
  expect(result).toMatchObject({ ok: false, status, code });
  if (!result.ok) expect(result.message.length).toBeGreaterThan(10);
}

function expectPayload(result: DecodeResult, format: string): Record<string, unknown> {
  expect(result).toMatchObject({ ok: true, format });
  if (!result.ok) throw new Error(result.message);
  return result.payload;
}

describe('signHmac', () => {
  it('matches the well-known HMAC-SHA256 test vector', () => {
    expect(signHmac('The quick brown fox jumps over the lazy dog', 'key')).toBe(
      'f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8',
    );
  });

  it('covers "<timestamp>.<body>" when given a timestamp', () => {
    expect(signHmac('{}', SECRET, '1700000000')).toBe(signHmac('1700000000.{}', SECRET));
    expect(signHmac(Buffer.from('{}'), SECRET)).toBe(signHmac('{}', SECRET));
  });
});

describe('signDialpadJwt', () => {
  it('produces a JWT that jose verifies with HS256', async () => {
    const token = signDialpadJwt({ call_id: 1, state: 'ringing' }, SECRET);
    const { payload, protectedHeader } = await jwtVerify(token, new TextEncoder().encode(SECRET));
    expect(protectedHeader).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload).toEqual({ call_id: 1, state: 'ringing' });
  });

  it('signs payload text byte for byte, keeping bare big integers', async () => {
    const token = signDialpadJwt('{"call_id":9007199254740993}', SECRET);
    expect(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()).toBe('{"call_id":9007199254740993}');
  });
});

describe('decodeWebhookBody — JWT body (real Dialpad delivery)', () => {
  it('accepts the captured Dialpad event signed as a JWT', async () => {
    const token = signDialpadJwt(loadFixture('real-hangup-unanswered-office.json'), SECRET);
    const payload = expectPayload(decodeWebhookBody(body(token), SECRET, {}, NOW_MS), 'jwt');
    expect(payload).toMatchObject({ call_id: 6421977457180672, state: 'hangup', date_connected: null });
  });

  it('keeps ids above 2^53 exact, which jose alone would round', async () => {
    const token = signDialpadJwt(loadFixture('leg-with-master.json'), SECRET);
    const payload = expectPayload(decodeWebhookBody(body(token), SECRET, {}, NOW_MS), 'jwt');
    expect(payload.call_id).toBe('9007199254740993');
    expect(payload.master_call_id).toBe(6755399441055744);
  });

  it('tolerates surrounding whitespace and ignores a stray signature header', async () => {
    const token = signDialpadJwt({ call_id: 1, state: 'ringing' }, SECRET);
    const result = decodeWebhookBody(body(`\n ${token}\r\n`), SECRET, { signature: 'nonsense' }, NOW_MS);
    expect(expectPayload(result, 'jwt')).toEqual({ call_id: 1, state: 'ringing' });
  });

  it('rejects a JWT signed with another secret', async () => {
    const token = signDialpadJwt({ call_id: 1 }, 'another-secret');
    expectFailure(decodeWebhookBody(body(token), SECRET, {}, NOW_MS), 401, 'invalid_jwt');
  });

  it('rejects a JWT whose payload was altered after signing', async () => {
    const [header, , signature] = (signDialpadJwt({ call_id: 1 }, SECRET)).split('.');
    const forged = `${header}.${b64({ call_id: 2 })}.${signature}`;
    expectFailure(decodeWebhookBody(body(forged), SECRET, {}, NOW_MS), 401, 'invalid_jwt');
  });

  it('refuses alg "none" and any algorithm other than HS256', async () => {
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ call_id: 1 })}.`;
    expectFailure(decodeWebhookBody(body(none), SECRET, {}, NOW_MS), 401, 'invalid_jwt');
    const hs512 = handMadeJws({ alg: 'HS512', typ: 'JWT' }, '{"call_id":1}', SECRET, 'sha512');
    expectFailure(decodeWebhookBody(body(hs512), SECRET, {}, NOW_MS), 401, 'invalid_jwt');
  });

  it('enforces exp against the clock it is given, not the machine clock', async () => {
    const token = signDialpadJwt({ call_id: 1, exp: NOW_S + 60 }, SECRET);
    expectPayload(decodeWebhookBody(body(token), SECRET, {}, NOW_MS), 'jwt');
    expectFailure(decodeWebhookBody(body(token), SECRET, {}, NOW_MS + 61_000), 401, 'jwt_expired');
  });

  it('rejects a JWT that is not valid yet (nbf)', async () => {
    const token = signDialpadJwt({ call_id: 1, nbf: NOW_S + 600 }, SECRET);
    expectFailure(decodeWebhookBody(body(token), SECRET, {}, NOW_MS), 401, 'invalid_jwt');
  });

  it('answers 401 when the app has no secret to verify a JWT with', async () => {
    const token = signDialpadJwt({ call_id: 1 }, SECRET);
    expectFailure(decodeWebhookBody(body(token), null, {}, NOW_MS), 401, 'secret_not_configured');
  });

  it('answers 400 when a correctly signed JWT carries no JSON object', async () => {
    const array = signDialpadJwt('[1,2]', SECRET);
    expectFailure(decodeWebhookBody(body(array), SECRET, {}, NOW_MS), 400, 'invalid_json');
    const garbage = signDialpadJwt('not json', SECRET);
    expectFailure(decodeWebhookBody(body(garbage), SECRET, {}, NOW_MS), 400, 'invalid_json');
  });

  it('rejects a three-segment body that is not a JWS at all', async () => {
    expectFailure(decodeWebhookBody(body('abc.def.ghi'), SECRET, {}, NOW_MS), 401, 'invalid_jwt');
  });
});

describe('decodeWebhookBody — x-dialpad-signature (seed / forwarder delivery)', () => {
  const raw = loadFixture('seed-call-ring.json');

  it('accepts a hex HMAC-SHA256 of the raw body', async () => {
    const result = decodeWebhookBody(body(raw), SECRET, { signature: signHmac(raw, SECRET) }, NOW_MS);
    expect(expectPayload(result, 'hmac')).toMatchObject({ event_type: 'call.ring', dialpad_call_id: 123456789 });
  });

  it('accepts upper-case hex and a "sha256=" prefix', async () => {
    const signature = signHmac(raw, SECRET);
    for (const variant of [signature.toUpperCase(), `sha256=${signature}`]) {
      expectPayload(decodeWebhookBody(body(raw), SECRET, { signature: variant }, NOW_MS), 'hmac');
    }
  });

  it('keeps ids above 2^53 exact', async () => {
    const text = loadFixture('leg-with-master.json');
    const result = decodeWebhookBody(body(text), SECRET, { signature: signHmac(text, SECRET) }, NOW_MS);
    expect(expectPayload(result, 'hmac').call_id).toBe('9007199254740993');
  });

  it('rejects a signature made with another secret or over other bytes', async () => {
    const wrongKey = signHmac(raw, 'another-secret');
    const withWrongKey = decodeWebhookBody(body(raw), SECRET, { signature: wrongKey }, NOW_MS);
    expectFailure(withWrongKey, 401, 'invalid_signature');
    const reformatted = JSON.stringify(JSON.parse(raw));
    const signature = signHmac(raw, SECRET);
    expectFailure(
      decodeWebhookBody(body(reformatted), SECRET, { signature }, NOW_MS),
      401,
      'invalid_signature',
    );
  });

  it.each(['', 'zz', 'abc123', 'a'.repeat(63), 'a'.repeat(65), 'g'.repeat(64), 'sha1=' + 'a'.repeat(40)])(
    'answers 401 (and does not throw) for the malformed signature %p',
    async (signature) => {
      expectFailure(decodeWebhookBody(body(raw), SECRET, { signature }, NOW_MS), 401, 'malformed_signature');
    },
  );

  it('answers 400 for a correctly signed body that is not JSON', async () => {
    const text = '{"call_id": 1,';
    const result = decodeWebhookBody(body(text), SECRET, { signature: signHmac(text, SECRET) }, NOW_MS);
    expectFailure(result, 400, 'invalid_json');
  });

  it('answers 400 for a signed event nested thousands of levels deep (a recursive reader would overflow: a 500)', async () => {
    let nested = 'null';
    for (let i = 0; i < 5000; i++) nested = `{"a":${nested}}`;
    const json = `{"state": "hangup", "call_id": 1, "date_connected": ${nested}}`;
    expectFailure(decodeWebhookBody(body(signDialpadJwt(json, SECRET)), SECRET, {}, NOW_MS), 400, 'too_deep');
    expectFailure(decodeWebhookBody(body(json), SECRET, { signature: signHmac(json, SECRET) }, NOW_MS), 400, 'too_deep');
    // deep and not JSON either: the parse fails first, a 400 all the same (no recursive reader ever sees it)
    const broken = `{"a":${'['.repeat(5000)}`;
    expectFailure(decodeWebhookBody(body(broken), SECRET, { signature: signHmac(broken, SECRET) }, NOW_MS), 400, 'invalid_json');
    // Dialpad's own nesting (contact, recording_details entries) is nowhere near the limit
    expectPayload(decodeWebhookBody(body(signDialpadJwt('{"a": {"b": [{"c": {"d": 1}}]}}', SECRET)), SECRET, {}, NOW_MS), 'jwt');
  });

  it('answers 401 when the app has no secret to check the signature with', async () => {
    const result = decodeWebhookBody(body(raw), null, { signature: signHmac(raw, SECRET) }, NOW_MS);
    expectFailure(result, 401, 'secret_not_configured');
  });

  describe('with x-dialpad-timestamp', () => {
    const signed = (timestamp: string) => ({ timestamp, signature: signHmac(raw, SECRET, timestamp) });

    it('accepts a fresh timestamp in seconds or in milliseconds', async () => {
      for (const timestamp of [String(NOW_S), String(NOW_MS), String(NOW_S - 299), String(NOW_MS + 299_000)]) {
        expectPayload(decodeWebhookBody(body(raw), SECRET, signed(timestamp), NOW_MS), 'hmac');
      }
    });

    it('accepts a timestamp exactly 5 minutes old', async () => {
      expectPayload(decodeWebhookBody(body(raw), SECRET, signed(String(NOW_MS - 300_000)), NOW_MS), 'hmac');
    });

    it('rejects a replay older than 5 minutes, or one more than 5 minutes ahead', async () => {
      for (const timestamp of [String(NOW_S - 301), String(NOW_MS - 300_001), String(NOW_S + 301), '0']) {
        const result = decodeWebhookBody(body(raw), SECRET, signed(timestamp), NOW_MS);
        expectFailure(result, 401, 'timestamp_out_of_window');
        if (!result.ok) expect(result.message).toMatch(/replay window/);
      }
    });

    it('rejects a signature over the body alone: the timestamp must be covered', async () => {
      const headers = { timestamp: String(NOW_S), signature: signHmac(raw, SECRET) };
      expectFailure(decodeWebhookBody(body(raw), SECRET, headers, NOW_MS), 401, 'invalid_signature');
    });

    it('rejects a timestamp swapped after signing', async () => {
      const headers = { timestamp: String(NOW_S - 1), signature: signHmac(raw, SECRET, String(NOW_S)) };
      expectFailure(decodeWebhookBody(body(raw), SECRET, headers, NOW_MS), 401, 'invalid_signature');
    });

    it.each(['', 'soon', '-1700000000', '1.7e9', '2024-11-15T12:00:00Z', '1'.repeat(17)])(
      'rejects the unreadable timestamp %p',
      async (timestamp) => {
        expectFailure(decodeWebhookBody(body(raw), SECRET, signed(timestamp), NOW_MS), 401, 'invalid_timestamp');
      },
    );
  });
});

describe('decodeWebhookBody — no signature', () => {
  it('answers 401 "missing signature" when the app has a secret', async () => {
    const result = decodeWebhookBody(body('{"call_id":1}'), SECRET, {}, NOW_MS);
    expectFailure(result, 401, 'missing_signature');
    if (!result.ok) expect(result.message).toMatch(/missing signature/);
  });

  it('accepts plain JSON when the app has no secret', async () => {
    const text = loadFixture('real-hangup-unanswered-office.json');
    const payload = expectPayload(decodeWebhookBody(body(text), null, {}, NOW_MS), 'unsigned');
    expect(payload.total_duration).toBe(8951.029999999999);
  });

  it.each([
    ['an empty body', '', 'invalid_json'],
    ['invalid JSON', '{"call_id":', 'invalid_json'],
    ['a JSON array', '[{"call_id":1}]', 'not_an_object'],
    ['a JSON string', '"hello"', 'not_an_object'],
    ['a JSON number', '42', 'not_an_object'],
    ['JSON null', 'null', 'not_an_object'],
  ])('answers 400 for %s', async (_label, text, code) => {
    expectFailure(decodeWebhookBody(body(text), null, {}, NOW_MS), 400, code);
  });

  it('treats an empty secret as a broken configuration, never as "unsigned"', async () => {
    expectFailure(decodeWebhookBody(body('{"call_id":1}'), '', {}, NOW_MS), 401, 'secret_not_configured');
  });
});

describe('decodeWebhookBody — properties', () => {
  const headersArb = fc.record(
    { signature: fc.oneof(fc.string(), fc.stringMatching(/^[0-9a-f]{64}$/)), timestamp: fc.string() },
    { requiredKeys: [] },
  );

  it('never throws and never echoes the secret, whatever arrives', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.string().map((s) => new TextEncoder().encode(s))),
        fc.option(fc.string({ minLength: 8 }), { nil: null }),
        headersArb,
        async (bytes, secret, headers) => {
          const result = decodeWebhookBody(Buffer.from(bytes), secret, headers, NOW_MS);
          if (!result.ok && secret !== null) expect(result.message).not.toContain(secret);
        },
      ),
    );
  });

  // exp and nbf are JWT claims with rules of their own, tested above.
  const claimsArb = fc.dictionary(
    fc.string().filter((key) => key !== 'exp' && key !== 'nbf'),
    fc.jsonValue(),
  );

  it('accepts any JSON object signed either way, and gives back the same object', async () => {
    await fc.assert(
      fc.asyncProperty(claimsArb, fc.string({ minLength: 1 }), async (object, secret) => {
        const text = JSON.stringify(object);
        const viaHmac = decodeWebhookBody(body(text), secret, { signature: signHmac(text, secret) }, NOW_MS);
        const viaJwt = decodeWebhookBody(body(signDialpadJwt(text, secret)), secret, {}, NOW_MS);
        const expected = JSON.parse(text, (_k, v: unknown) =>
          typeof v === 'number' && Number.isInteger(v) && !Number.isSafeInteger(v) ? String(v) : v,
        ) as unknown;
        expect(viaHmac).toEqual({ ok: true, format: 'hmac', payload: expected, json: text });
        expect(viaJwt).toMatchObject({ ok: true, format: 'jwt', payload: expected });
      }),
      { numRuns: 50 },
    );
  });
});
