import { Module } from '@nestjs/common';
import { DialpadUsersRepository } from './dialpad-users.repository.js';

/** The synced `dialpad_users` table, on its own so user mapping can resolve e-mails without the whole Dialpad stack. */
@Module({ providers: [DialpadUsersRepository], exports: [DialpadUsersRepository] })
export class DialpadUsersModule {}
