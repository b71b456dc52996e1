import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** The metric names an alert expression reads (histogram series map to their metric). */
function seriesIn(expr: string): string[] {
  const names = expr.match(/\b(cti_[a-z0-9_]+|http_request_duration_seconds_[a-z]+)\b/g) ?? [];
  return names.map((n) => n.replace(/_(bucket|count|sum)$/, ''));
}

describe('monitoring: what the alerts and the dashboard read is on /metrics (e2e)', () => {
  let t: TestApp;
  let metrics: string;

  beforeAll(async () => {
    t = await startTestApp();
    metrics = (await request(t.baseUrl).get('/metrics').expect(200)).text;
  });

  afterAll(async () => {
    await t.close();
  });

  it('every series named in deploy/prometheus/alerts.yml is exported', () => {
    const alerts = readFileSync(new URL('../../deploy/prometheus/alerts.yml', import.meta.url), 'utf8');
    const exprs = [...alerts.matchAll(/expr: (?:\|\n)?([\s\S]*?)\n\s+(?:for|labels):/g)].map((m) => m[1]!);
    expect(exprs.length).toBe(alerts.match(/- alert: /g)!.length); // every alert's expression was read
    expect(exprs.length).toBeGreaterThanOrEqual(9);
    const names = [...new Set(exprs.flatMap(seriesIn))];
    expect(names.length).toBeGreaterThan(8);
    const missing = names.filter((n) => !metrics.includes(`# TYPE ${n} `));
    expect(missing).toEqual([]);
  });

  it('every series the Grafana dashboard plots is exported', () => {
    const dashboard = JSON.parse(readFileSync(new URL('../../deploy/grafana/dashboards/turbo-cti.json', import.meta.url), 'utf8')) as {
      panels: { targets: { expr: string }[] }[];
    };
    const names = [...new Set(dashboard.panels.flatMap((p) => p.targets.flatMap((x) => seriesIn(x.expr))))];
    expect(names.length).toBeGreaterThan(10);
    expect(names.filter((n) => !metrics.includes(`# TYPE ${n} `))).toEqual([]);
  });

  it('Redis memory is read from INFO at scrape time', () => {
    const used = /^cti_redis_used_memory_bytes\{[^}]*\} (\d+)$/m.exec(metrics);
    expect(Number(used?.[1])).toBeGreaterThan(0);
    expect(metrics).toMatch(/^cti_redis_maxmemory_bytes\{[^}]*\} \d+$/m);
  });
});
