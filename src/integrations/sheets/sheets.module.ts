import { Module } from '@nestjs/common';
import { AppConfig } from '../../infra/config/app-config.js';
import { LeadWriter } from './lead-writer.js';
import { SheetReader } from './sheet-reader.js';
import { SheetsApi } from './sheets-api.js';
import { SheetsCache } from './sheets-cache.js';
import { SheetsMetrics } from './sheets-metrics.js';
import { SheetsOutboxRepository } from './sheets-outbox.repository.js';
import { SheetsOutboxWorker } from './sheets-outbox.worker.js';
import { SheetsQuota } from './sheets-quota.js';
import { SheetsGateway } from './sheets.gateway.js';
import { SharedTabReads } from './shared-tab-reads.js';

/** Google Sheets for the preview dialer: SheetsGateway, its cache, retry policy and durable outbox. */
@Module({
  providers: [
    SheetsApi,
    SheetsMetrics,
    SheetsQuota,
    { provide: SheetsCache, inject: [AppConfig], useFactory: (config: AppConfig) => new SheetsCache(config.SHEETS_CACHE_TTL_SECONDS * 1000) },
    SharedTabReads,
    SheetReader,
    LeadWriter,
    SheetsOutboxRepository,
    SheetsOutboxWorker,
    SheetsGateway,
  ],
  exports: [SheetsGateway],
})
export class SheetsModule {}
