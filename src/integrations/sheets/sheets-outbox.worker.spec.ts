import fc from 'fast-check';
import { outboxDelayMs } from './sheets-outbox.worker.js';

describe('outbox backoff', () => {
  it('grows exponentially from the base, with jitter, never above the cap', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 2000 }), fc.integer({ min: 1, max: 120_000 }), (attempts, base, max) => {
        const d = outboxDelayMs(attempts, base, max);
        const ceiling = Math.min(max, base * 2 ** (attempts - 1));
        return d <= ceiling && d >= Math.floor(ceiling / 2);
      }),
    );
    expect(outboxDelayMs(40, 500, 60_000)).toBeLessThanOrEqual(60_000);
    expect(outboxDelayMs(40, 500, 60_000)).toBeGreaterThanOrEqual(30_000);
  });
});
