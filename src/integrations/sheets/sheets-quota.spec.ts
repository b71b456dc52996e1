import { pacedRule, quotaMarginMs } from './sheets-quota.js';

describe('Sheets quota pacing', () => {
  it("spends Google's 60 a minute as 10 per sixth of the (slightly longer) window", () => {
    const windowMs = 60_000 + quotaMarginMs(60_000);
    expect(pacedRule(60, windowMs)).toEqual({ limit: 10, windowMs: 10_500 });
    expect(pacedRule(3, 60_000)).toEqual({ limit: 1, windowMs: 20_000 });
    expect(pacedRule(1, 60_000)).toEqual({ limit: 1, windowMs: 60_000 });
  });

  it('writes one at a time: 60 a minute as one per 1/60 of the window', () => {
    expect(pacedRule(60, 63_000, Number.POSITIVE_INFINITY)).toEqual({ limit: 1, windowMs: 1050 });
    expect(pacedRule(100, 1_000, Number.POSITIVE_INFINITY)).toEqual({ limit: 1, windowMs: 10 });
  });

  it('never lets more than the quota into any window: a greedy sender against the paced rule, checked over every window', () => {
    for (const [limit, windowMs, slices] of [
      [60, 63_000, 6],
      [7, 10_000, 6],
      [100, 1_000, 6],
      [60, 63_000, Number.POSITIVE_INFINITY],
      [7, 10_000, Number.POSITIVE_INFINITY],
    ] as const) {
      const rule = pacedRule(limit, windowMs, slices);
      // send whenever the paced sliding window allows, 1 ms resolution, for three windows
      const sent: number[] = [];
      for (let t = 0; t < 3 * windowMs; t++) {
        if (sent.filter((s) => s > t - rule.windowMs).length < rule.limit) sent.push(t);
      }
      for (let i = 0; i < sent.length; i++) {
        const inWindow = sent.filter((s) => s >= sent[i]! && s < sent[i]! + windowMs).length;
        expect(inWindow).toBeLessThanOrEqual(limit);
      }
      // and the budget is still used: at least 5/6 of the quota per window
      expect(sent.length).toBeGreaterThanOrEqual(Math.floor((3 * limit * 5) / 6));
    }
  });
});
