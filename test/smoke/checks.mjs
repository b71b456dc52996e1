// What the smoke scripts (smoke.mjs, demo.mjs) share: named checks that print one line each, and waiting.
import { sleep } from '../../bench/lib.mjs';

export const out = (line) => process.stdout.write(line + '\n');

/** A check failed: its line is printed; the script stops at the first. */
export class CheckFailed extends Error {}

export function fail(message) {
  throw new CheckFailed(message);
}

/** Runs one named check; prints `ok` or `FAIL` and throws (the first failure ends the run). */
export async function check(name, fn) {
  try {
    const detail = await fn();
    out(`ok    ${name}${detail ? ` (${detail})` : ''}`);
  } catch (err) {
    out(`FAIL  ${name}: ${err instanceof Error ? err.message : String(err)}`);
    throw new CheckFailed(name);
  }
}

export function describeExit(exit) {
  return exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
}

/**
 * Polls `probe` until it returns something truthy (a throw counts as not yet); fails after `timeoutMs`, or at once
 * when `child` (a started process: `{ exit, label }`) has exited meanwhile.
 */
export async function waitFor(what, timeoutMs, probe, child) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child?.exit) fail(`${what}: ${child.label} exited first (${describeExit(child.exit)})`);
    const result = await probe().catch(() => undefined);
    if (result) return result;
    if (Date.now() > deadline) fail(`${what}: not within ${Math.round(timeoutMs / 1000)} s`);
    await sleep(200);
  }
}
