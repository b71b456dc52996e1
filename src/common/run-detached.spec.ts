import { runDetached } from './run-detached.js';

const settle = () => new Promise((r) => setImmediate(r));

describe('runDetached', () => {
  it('logs a rejection with what failed, its message and its stack', async () => {
    const logged: unknown[][] = [];
    const err = new Error('connection lost');
    runDetached(Promise.reject(err), { error: (...args: unknown[]) => logged.push(args) }, 'renewing lock x');
    await settle();
    expect(logged).toEqual([['renewing lock x failed: connection lost', err.stack]]);
  });

  it('logs a rejection that is not an Error as text', async () => {
    const logged: unknown[][] = [];
    // a bare thenable rejecting with a string, as some libraries do
    const thenable: PromiseLike<never> = {
      then(_ok, fail) {
        fail?.('nope');
        return thenable;
      },
    };
    runDetached(thenable, { error: (...args: unknown[]) => logged.push(args) }, 'replay');
    await settle();
    expect(logged).toEqual([['replay failed: nope']]);
  });

  it('logs nothing when the work succeeds', async () => {
    const logged: unknown[][] = [];
    runDetached(Promise.resolve(42), { error: (...args: unknown[]) => logged.push(args) }, 'replay');
    await settle();
    expect(logged).toEqual([]);
  });
});
