import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module.js';
import { VoicemailsController } from './voicemails.controller.js';

@Module({ imports: [EventsModule], controllers: [VoicemailsController] })
export class VoicemailsModule {}
