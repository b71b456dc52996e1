import { afterEach, describe, expect, it, jest } from '@jest/globals';
import fc from 'fast-check';
import { retryDelayMs } from './event-processor.service.js';

describe('retryDelayMs', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  const withRandom = (r: number, fn: () => void) => {
    jest.spyOn(Math, 'random').mockReturnValue(r);
    fn();
  };

  it('doubles from 1 s: 1 s, 2 s, 4 s, 8 s (no jitter at the midpoint)', () => {
    withRandom(0.5, () => {
      expect([1, 2, 3, 4, 5].map((a) => retryDelayMs(a, 300_000))).toEqual([1000, 2000, 4000, 8000, 16000]);
    });
  });

  it('jitters by ±20 %', () => {
    withRandom(0, () => expect(retryDelayMs(3, 300_000)).toBe(3200));
    withRandom(0.999999, () => expect(retryDelayMs(3, 300_000)).toBe(4800));
  });

  it('never exceeds the cap, jitter included', () => {
    withRandom(0.999999, () => {
      expect(retryDelayMs(20, 300_000)).toBe(300_000);
      expect(retryDelayMs(10_000, 300_000)).toBe(300_000); // 2 ** 9999 is Infinity
    });
    withRandom(0, () => expect(retryDelayMs(20, 300_000)).toBe(240_000));
  });

  it('is 0 when the cap is 0 (retry at once)', () => {
    withRandom(0.9, () => expect(retryDelayMs(1, 0)).toBe(0));
  });

  it('treats attempts below 1 as the first', () => {
    withRandom(0.5, () => expect(retryDelayMs(0, 300_000)).toBe(1000));
  });

  it('is always an integer within [0.8 × base, min(cap, 1.2 × base)]', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 10_000_000 }), (attempts, cap) => {
        const base = Math.min(cap, 1000 * 2 ** (attempts - 1));
        const delay = retryDelayMs(attempts, cap);
        return Number.isInteger(delay) && delay >= Math.floor(base * 0.8) && delay <= Math.min(cap, Math.ceil(base * 1.2));
      }),
    );
  });
});
