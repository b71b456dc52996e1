import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { SmsController } from './sms.controller.js';
import { SmsRepository } from './sms.repository.js';
import { SmsService } from './sms.service.js';

/** SMS: the `sms_messages` table (written by the event processor from Dialpad's SMS events) and `GET /api/sms`. */
@Module({ imports: [AuthModule], controllers: [SmsController], providers: [SmsRepository, SmsService], exports: [SmsRepository] })
export class SmsModule {}
