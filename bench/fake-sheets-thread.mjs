// The fake Sheets server on its own thread, as Google is in its own place: its work (serialising whole tabs,
// counting quotas) does not stall the event loop whose latency a benchmark measures. Called by message.
import { isMainThread, parentPort, Worker } from 'node:worker_threads';

if (!isMainThread) {
  const { FakeSheets } = await import(new URL('../demo/fakes/fake-sheets.ts', import.meta.url).href);
  const fake = await FakeSheets.start();
  const calls = {
    setSheet: (...args) => fake.setSheet(...args),
    enforceQuota: (quota) => fake.enforceQuota(quota),
    requests: () => fake.requests.map((r) => ({ call: r.call, status: r.status })),
    quotaRefusals: () => fake.quotaRefusals().length,
    close: () => fake.close(),
  };
  parentPort.on('message', async ({ id, method, args }) => {
    try {
      parentPort.postMessage({ id, result: await calls[method](...args) });
    } catch (err) {
      parentPort.postMessage({ id, error: String(err?.stack ?? err) });
    }
  });
  parentPort.postMessage({ id: 0, result: fake.url });
}

/** Starts the fake on a worker thread; every method answers a promise. */
export async function startFakeSheetsThread() {
  const worker = new Worker(new URL(import.meta.url));
  const pending = new Map();
  let next = 1;
  worker.on('message', ({ id, result, error }) => {
    const p = pending.get(id);
    pending.delete(id);
    if (error) p?.reject(new Error(error));
    else p?.resolve(result);
  });
  const url = await new Promise((resolve, reject) => {
    pending.set(0, { resolve, reject });
    worker.once('error', reject);
  });
  const call = (method, ...args) =>
    new Promise((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, method, args });
    });
  return {
    url,
    setSheet: (...args) => call('setSheet', ...args),
    enforceQuota: (quota) => call('enforceQuota', quota),
    requests: () => call('requests'),
    quotaRefusals: () => call('quotaRefusals'),
    close: async () => {
      await call('close');
      await worker.terminate();
    },
  };
}
