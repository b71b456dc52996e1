import { Module } from '@nestjs/common';
import { DialpadUsersModule } from '../dialpad-connect/dialpad-users.module.js';
import { DialpadUserResolver } from './dialpad-user-resolver.js';
import { UserMappingController } from './user-mapping.controller.js';
import { UserMappingRepository } from './user-mapping.repository.js';

@Module({
  imports: [DialpadUsersModule],
  controllers: [UserMappingController],
  providers: [UserMappingRepository, DialpadUserResolver],
  exports: [UserMappingRepository],
})
export class UserMappingModule {}
