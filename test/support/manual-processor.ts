import pg from 'pg';
import { EventProcessor } from '../../src/events/event-processor.service.js';
import { startTestApp, TestApp } from './test-app.js';
import { CreatedApp, createApp } from './webhooks.js';

/** The whole service with its processor driven by hand (batches run when the test calls processBatch). */
export interface ManualProcessorWorld {
  t: TestApp;
  processor: EventProcessor;
  /** on the app's database, beside the app's own pool */
  pool: pg.Pool;
  tenant: CreatedApp;
  close(): Promise<void>;
}

export async function startManualProcessor(): Promise<ManualProcessorWorld> {
  const t = await startTestApp({ EVENT_PROCESSOR_ENABLED: 'false' });
  const pool = new pg.Pool({ connectionString: t.db.url, max: 2 });
  return {
    t,
    processor: t.app.get(EventProcessor),
    pool,
    tenant: await createApp(t),
    close: async () => {
      await pool.end();
      await t.close();
    },
  };
}
