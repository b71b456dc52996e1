import { Module } from '@nestjs/common';
import { UserMappingController } from './user-mapping.controller.js';
import { UserMappingRepository } from './user-mapping.repository.js';

@Module({ controllers: [UserMappingController], providers: [UserMappingRepository], exports: [UserMappingRepository] })
export class UserMappingModule {}
