import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module.js';
import { CallsController } from './calls.controller.js';
import { CallsService } from './calls.service.js';

@Module({ imports: [EventsModule], controllers: [CallsController], providers: [CallsService], exports: [CallsService] })
export class CallsModule {}
