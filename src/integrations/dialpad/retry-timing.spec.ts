import fc from 'fast-check';
import { backoffDelayMs, nextRetryDelayMs, parseRetryAfter } from './retry-timing.js';

describe('Retry-After parsing', () => {
  const now = Date.UTC(2025, 0, 1, 0, 0, 0);

  it('reads delta-seconds and HTTP dates', () => {
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('1.5', now)).toBe(1500);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:07 GMT', now)).toBe(7000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:59:00 GMT', now)).toBe(0);
  });

  it('ignores what it cannot read', () => {
    for (const v of [null, undefined, '', 'soon', '-1', '12abc']) expect(parseRetryAfter(v, now)).toBeNull();
  });
});

describe('backoff', () => {
  it('doubles the ceiling per attempt, capped, with full jitter', () => {
    const top = () => 0.999999;
    expect(backoffDelayMs(1, 100, 10_000, top)).toBe(99);
    expect(backoffDelayMs(2, 100, 10_000, top)).toBe(199);
    expect(backoffDelayMs(4, 100, 10_000, top)).toBe(799);
    expect(backoffDelayMs(20, 100, 10_000, top)).toBe(9999);
    expect(backoffDelayMs(3, 100, 10_000, () => 0)).toBe(0);
  });

  it('always stays within [0, min(max, base·2^(n-1))]', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 120_000 }), fc.double({ min: 0, max: 0.9999, noNaN: true }), (attempt, base, max, r) => {
        const d = backoffDelayMs(attempt, base, max, () => r);
        return d >= 0 && d <= Math.min(max, base * 2 ** (attempt - 1)) && Number.isInteger(d);
      }),
    );
  });

  it('prefers Retry-After, capped at the maximum', () => {
    expect(nextRetryDelayMs(1, 2000, 100, 10_000, () => 0)).toBe(2000);
    expect(nextRetryDelayMs(1, 60_000, 100, 10_000, () => 0)).toBe(10_000);
    expect(nextRetryDelayMs(2, null, 100, 10_000, () => 0.5)).toBe(100);
  });
});
