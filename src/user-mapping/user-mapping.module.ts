import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { DialpadUsersModule } from '../dialpad-connect/dialpad-users.module.js';
import { DialpadUserResolver } from './dialpad-user-resolver.js';
import { UserMappingController } from './user-mapping.controller.js';
import { UserMappingLookup } from './user-mapping.lookup.js';
import { UserMappingRepository } from './user-mapping.repository.js';

/** Dialpad user → CRM user mappings, and the lookup the event processor enriches messages with. */
@Module({
  imports: [AuthModule, DialpadUsersModule],
  controllers: [UserMappingController],
  providers: [UserMappingRepository, UserMappingLookup, DialpadUserResolver],
  exports: [UserMappingRepository, UserMappingLookup],
})
export class UserMappingModule {}
