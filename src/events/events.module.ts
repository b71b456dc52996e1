import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { AgentStatusModule } from '../agent-status/agent-status.module.js';
import { AuthModule } from '../auth/auth.module.js';
import { CallsModule } from '../calls/calls.module.js';
import { SmsModule } from '../sms/sms.module.js';
import { UserMappingModule } from '../user-mapping/user-mapping.module.js';
import { VoicemailsModule } from '../voicemails/voicemails.module.js';
import { CallEventsWriter } from './call-events.writer.js';
import { EventIngestService } from './event-ingest.service.js';
import { EventMetrics } from './event-metrics.js';
import { EventProcessor } from './event-processor.service.js';
import { EventWriter } from './event-writer.js';
import { EventsController } from './events.controller.js';
import { EventsRepository } from './events.repository.js';
import { IngestPressure } from './ingest-pressure.js';
import { ProcessedEventsBus } from './processed-events.bus.js';

/** The webhook event log and its processor: stored events become calls, voicemails, SMS and agent statuses, then messages on the bus. */
@Module({
  imports: [ScheduleModule.forRoot(), AuthModule, CallsModule, VoicemailsModule, SmsModule, AgentStatusModule, UserMappingModule],
  controllers: [EventsController],
  providers: [EventsRepository, EventIngestService, IngestPressure, EventMetrics, EventProcessor, CallEventsWriter, EventWriter, ProcessedEventsBus],
  exports: [EventIngestService, EventMetrics, ProcessedEventsBus, EventProcessor, EventsRepository],
})
export class EventsModule {}
