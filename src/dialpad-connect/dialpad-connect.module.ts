import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { DialpadModule } from '../integrations/dialpad/dialpad.module.js';
import { DialpadAdminController } from './dialpad-admin.controller.js';
import { DialpadConnectController } from './dialpad-connect.controller.js';
import { DialpadConnectService } from './dialpad-connect.service.js';
import { DialpadSubscribeService } from './dialpad-subscribe.service.js';
import { DialpadUsersModule } from './dialpad-users.module.js';
import { DialpadUsersService } from './dialpad-users.service.js';
import { OAuthStateStore } from './oauth-state.store.js';

/** An app's Dialpad connection: the OAuth flow, the synced users, the webhook subscription. */
@Module({
  imports: [AuthModule, DialpadModule, DialpadUsersModule],
  controllers: [DialpadConnectController, DialpadAdminController],
  providers: [OAuthStateStore, DialpadConnectService, DialpadUsersService, DialpadSubscribeService],
})
export class DialpadConnectModule {}
