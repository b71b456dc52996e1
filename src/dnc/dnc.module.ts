import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { DncList } from './dnc-list.service.js';
import { DncController } from './dnc.controller.js';
import { DncRepository } from './dnc.repository.js';
import { DncService } from './dnc.service.js';

/** The per-app do-not-call list: admin routes, and the set the dialer checks before every pick and every call. */
@Module({
  imports: [AuthModule],
  controllers: [DncController],
  providers: [DncRepository, DncService, DncList],
  exports: [DncList, DncService],
})
export class DncModule {}
