import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { EventLogPartitionsRepository } from './event-log-partitions.repository.js';
import { RecordRetentionRepository } from './record-retention.repository.js';
import { RetentionJob } from './retention.job.js';
import { RetentionMetrics } from './retention-metrics.js';

/** The lifecycle of what grows with traffic: event-log partitions, dedup keys, and (when configured) old calls. */
@Module({
  imports: [ScheduleModule.forRoot()],
  providers: [EventLogPartitionsRepository, RecordRetentionRepository, RetentionMetrics, RetentionJob],
  exports: [RetentionJob],
})
export class RetentionModule {}
