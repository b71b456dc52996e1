import { STATUS_CODES } from 'node:http';
import type { Response } from 'supertest';

/** A stack-trace line, as V8 prints it ("    at fn (file.js:1:2)"). */
const STACK_LINE = /\bat\s+\S*\s*\(?[^()\s]*\.(?:[cm]?js|ts):\d+/;

/**
 * Asserts an error answer has exactly the documented shape
 * `{statusCode, error, message, request_id}` (plus an optional domain `code`),
 * that request_id matches the echoed `x-request-id` header, and that no stack trace leaked.
 */
export function expectErrorShape(res: Response, status: number): void {
  expect({ status: res.status, text: res.status === status ? undefined : res.text }).toEqual({ status, text: undefined });
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const body = res.body as Record<string, unknown>;
  const keys = Object.keys(body).filter((k) => k !== 'code').sort();
  expect(keys).toEqual(['error', 'message', 'request_id', 'statusCode']);
  expect(body.statusCode).toBe(status);
  expect(body.error).toBe(STATUS_CODES[status]);
  if (Array.isArray(body.message)) {
    expect(body.message.length).toBeGreaterThan(0);
    for (const m of body.message) expect(typeof m).toBe('string');
  } else {
    expect(typeof body.message).toBe('string');
    expect((body.message as string).length).toBeGreaterThan(0);
  }
  expect(typeof body.request_id).toBe('string');
  expect(body.request_id).toBe(res.headers['x-request-id']);
  expect(res.text).not.toMatch(STACK_LINE);
  expect(res.text).not.toMatch(/\n\s+at /);
  expect(res.text).not.toContain('"stack"');
}

/** The error message(s) of an error answer as one string, for `toContain` checks. */
export function errorText(res: Response): string {
  const message = (res.body as { message?: string | string[] }).message;
  return Array.isArray(message) ? message.join(' | ') : String(message);
}

export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Polls `check` until it returns true or `timeoutMs` passes; returns the elapsed milliseconds or throws. */
export async function pollUntil(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 10): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
