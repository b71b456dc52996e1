import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { CallsRepository } from '../calls/calls.repository.js';
import { UserMappingLookup } from '../user-mapping/user-mapping.lookup.js';
import { VoicemailsRepository } from '../voicemails/voicemails.repository.js';
import { CallEventsWriter } from './call-events.writer.js';
import { EventIngestService } from './event-ingest.service.js';
import { EventMetrics } from './event-metrics.js';
import { EventProcessor } from './event-processor.service.js';
import { EventsController } from './events.controller.js';
import { EventsRepository } from './events.repository.js';
import { ProcessedEventsBus } from './processed-events.bus.js';

/** The webhook event log and its processor. */
@Module({
  imports: [ScheduleModule.forRoot()],
  controllers: [EventsController],
  providers: [
    EventsRepository,
    EventIngestService,
    EventMetrics,
    EventProcessor,
    CallEventsWriter,
    ProcessedEventsBus,
    CallsRepository,
    VoicemailsRepository,
    UserMappingLookup,
  ],
  exports: [EventIngestService, EventMetrics, ProcessedEventsBus, EventProcessor, EventsRepository, CallsRepository, VoicemailsRepository],
})
export class EventsModule {}
