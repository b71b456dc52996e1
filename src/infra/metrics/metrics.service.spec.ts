import { Counter } from 'prom-client';
import { MetricsService } from './metrics.service.js';

describe('MetricsService.scrape with another process as a source', () => {
  it('serves both processes, one HELP/TYPE per family, the source apart by its process label', async () => {
    const web = new MetricsService();
    const child = new MetricsService();
    child.labelProcess('processor');
    for (const m of [web, child]) new Counter({ name: 'cti_test_total', help: 'a test counter', labelNames: ['kind'], registers: [m.registry] });
    (web.registry.getSingleMetric('cti_test_total') as Counter).inc({ kind: 'a' }, 2);
    (child.registry.getSingleMetric('cti_test_total') as Counter).inc({ kind: 'a' }, 5);
    web.addSource(() => child.registry.getMetricsAsJSON());
    const text = await web.scrape();
    expect(text.match(/^# TYPE cti_test_total counter$/gm)).toHaveLength(1);
    expect(text).toMatch(/^cti_test_total\{kind="a",service="turbo-cti"\} 2$/m);
    expect(text).toMatch(/^cti_test_total\{kind="a",service="turbo-cti",process="processor"\} 5$/m);
    expect(text.match(/^# TYPE process_resident_memory_bytes gauge$/gm)).toHaveLength(1);
  });

  it('a source that does not answer (null) leaves this process\'s metrics as they are', async () => {
    const web = new MetricsService();
    web.addSource(async () => null);
    expect(await web.scrape()).toMatch(/^# TYPE http_request_duration_seconds histogram$/m);
  });
});
