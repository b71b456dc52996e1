import { DrainLoop } from './drain-loop.js';

const tick = () => new Promise((r) => setImmediate(r));

describe('DrainLoop', () => {
  it('runs passes while they report more, and coalesces wake-ups into one more pass', async () => {
    let left = 3;
    let passes = 0;
    let release: () => void = () => undefined;
    const loop = new DrainLoop(async () => {
      passes++;
      if (passes === 1) await new Promise<void>((r) => (release = r));
      return --left > 0;
    }, () => undefined);
    loop.wake();
    await tick();
    loop.wake();
    loop.wake();
    release();
    await loop.idle();
    // 3 passes report "more" until left hits 0; the two wake-ups during pass 1 add nothing beyond one extra look
    expect(passes).toBe(3);
    loop.wake();
    await loop.idle();
    expect(passes).toBe(4);
  });

  it('reports a failing pass and keeps working on the next wake-up', async () => {
    const errors: unknown[] = [];
    let fail = true;
    let passes = 0;
    const loop = new DrainLoop(async () => {
      passes++;
      if (fail) throw new Error('db down');
      return false;
    }, (e) => errors.push(e));
    loop.wake();
    await loop.idle();
    fail = false;
    loop.wake();
    await loop.idle();
    expect(errors).toHaveLength(1);
    expect(passes).toBe(2);
  });

  it('starts nothing after stop', async () => {
    let passes = 0;
    const loop = new DrainLoop(async () => (passes++, false), () => undefined);
    await loop.stop();
    loop.wake();
    await loop.idle();
    expect(passes).toBe(0);
  });
});
