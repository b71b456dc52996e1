import fc from 'fast-check';
import { nestingExceeds } from './json-depth.js';
import { JsonTooDeepError, parseJsonLossless } from './lossless-json.js';

/** What the lossless parser should give for JSON that JSON.stringify wrote (its number text is String(n)). */
function unsafeIntegersAsText(value: unknown): unknown {
  if (typeof value === 'number') return Number.isInteger(value) && !Number.isSafeInteger(value) ? String(value) : value;
  if (Array.isArray(value)) return value.map(unsafeIntegersAsText);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unsafeIntegersAsText(v)]));
  }
  return value;
}

describe('parseJsonLossless', () => {
  it('keeps safe integers as numbers', () => {
    expect(parseJsonLossless('{"call_id":6421977457180672}')).toEqual({ call_id: 6421977457180672 });
  });

  it('returns unsafe integers as their exact source text', () => {
    expect(parseJsonLossless('{"call_id":9007199254740993}')).toEqual({ call_id: '9007199254740993' });
    expect(parseJsonLossless('[-9007199254740993, 12345678901234567890]')).toEqual([
      '-9007199254740993',
      '12345678901234567890',
    ]);
  });

  it('keeps the boundaries of the safe range as numbers', () => {
    expect(parseJsonLossless(`[${Number.MAX_SAFE_INTEGER}, ${Number.MIN_SAFE_INTEGER}]`)).toEqual([
      Number.MAX_SAFE_INTEGER,
      Number.MIN_SAFE_INTEGER,
    ]);
    expect(parseJsonLossless('9007199254740992')).toBe('9007199254740992');
  });

  it('keeps floats as numbers', () => {
    expect(parseJsonLossless('{"total_duration":8951.029999999999,"mos":4.41}')).toEqual({
      total_duration: 8951.029999999999,
      mos: 4.41,
    });
  });

  it('returns numbers a double cannot hold as text instead of Infinity', () => {
    expect(parseJsonLossless('[1e400, -1e400]')).toEqual(['1e400', '-1e400']);
  });

  it('leaves strings, booleans, null and nesting untouched', () => {
    const text = '{"a":"9007199254740993","b":[true,false,null,{"c":{}}],"d":-0.5}';
    expect(parseJsonLossless(text)).toEqual(JSON.parse(text));
  });

  it('keeps a "__proto__" key as data, not as a prototype', () => {
    const parsed = parseJsonLossless('{"__proto__":{"polluted":1}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.hasOwn(parsed, '__proto__')).toBe(true);
  });

  it.each(['', '{', '{"a":1,}', "{'a':1}", 'NaN', '01', '{"a":1}x'])('throws SyntaxError on %p', (text) => {
    expect(() => parseJsonLossless(text)).toThrow(SyntaxError);
  });

  it('agrees with JSON.parse except that unsafe integers become text', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value);
        expect(parseJsonLossless(text)).toEqual(unsafeIntegersAsText(JSON.parse(text)));
      }),
    );
  });

  it('round-trips any bigint written as a bare JSON number', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }), (n) => {
        const parsed = parseJsonLossless(`{"id":${n}}`) as { id: unknown };
        const safe = n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER);
        expect(parsed.id).toBe(safe ? Number(n) : n.toString());
      }),
    );
  });

  it('the fast path (no reviver) gives exactly what the reviver gives, for any JSON and any number text', () => {
    const slow = (text: string): unknown =>
      JSON.parse(text, (_k, v: unknown, ctx?: { source?: string }) =>
        typeof v === 'number' && (!Number.isFinite(v) || (Number.isInteger(v) && !Number.isSafeInteger(v))) ? ctx?.source : v,
      );
    const numberText = fc.oneof(
      fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }).map(String),
      fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
      fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: -400, max: 400 })).map(([m, e]) => `${m}e${e}`),
      fc.constantFrom('5910447283257344', '9007199254740993', '0.12345678901234567', '12345678901234567.5', '1E16', '-0'),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string(), numberText), { maxLength: 6 }), (pairs) => {
        const text = `{${pairs.map(([k, n], i) => `${JSON.stringify(`${k}${i}`)}:${n}`).join(',')}}`;
        expect(parseJsonLossless(text)).toEqual(slow(text));
      }),
    );
  });
});

describe('parseJsonLossless with a depth limit', () => {
  it('refuses exactly what nestingExceeds refuses, for any JSON and any limit', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 9 }), (value, max) => {
        const text = JSON.stringify(value);
        let refused = false;
        try {
          parseJsonLossless(text, max);
        } catch (err) {
          if (!(err instanceof JsonTooDeepError)) throw err;
          refused = true;
        }
        expect(refused).toBe(nestingExceeds(text, max));
      }),
      { numRuns: 500 },
    );
  });

  it('counts the outermost object as level one, as the text check does', () => {
    expect(parseJsonLossless('{"a":[1]}', 2)).toEqual({ a: [1] });
    expect(() => parseJsonLossless('{"a":[1]}', 1)).toThrow(JsonTooDeepError);
    expect(parseJsonLossless('1', 0)).toBe(1);
  });

  it('refuses a deep document holding an unsafe integer before the reviver (which recurses) could overflow on it', () => {
    const deep = `${'['.repeat(100_000)}9007199254740993${']'.repeat(100_000)}`;
    expect(() => parseJsonLossless(deep, 64)).toThrow(JsonTooDeepError);
    expect(() => parseJsonLossless(deep, 64)).toThrow('JSON nested deeper than 64 levels');
  });

  it('still keeps unsafe integers as text within the limit', () => {
    expect(parseJsonLossless('{"a":{"b":[9007199254740993]}}', 3)).toEqual({ a: { b: ['9007199254740993'] } });
  });
});
