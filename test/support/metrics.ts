import request from 'supertest';
import type { TestApp } from './test-app.js';

/** Sum of a Prometheus metric's samples on a node's /metrics (optionally only those whose labels contain `labelPart`). */
export async function metricSum(node: TestApp, name: string, labelPart = ''): Promise<number> {
  const res = await request(node.baseUrl).get('/metrics');
  expect(res.status).toBe(200);
  let sum = 0;
  for (const line of res.text.split('\n')) {
    const m = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (m && m[1] === name && (m[2] ?? '').includes(labelPart)) sum += Number(m[3]);
  }
  return sum;
}
