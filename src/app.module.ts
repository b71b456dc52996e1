import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AgentStatusModule } from './agent-status/agent-status.module.js';
import { ApiKeysModule } from './api-keys/api-keys.module.js';
import { AppsModule } from './apps/apps.module.js';
import { CallsModule } from './calls/calls.module.js';
import { DialerSessionModule } from './dialer-session/dialer-session.module.js';
import { DncModule } from './dnc/dnc.module.js';
import { DialpadConnectModule } from './dialpad-connect/dialpad-connect.module.js';
import { EventsModule } from './events/events.module.js';
import { HealthModule } from './health/health.module.js';
import { AppConfig } from './infra/config/app-config.js';
import { ConfigModule } from './infra/config/config.module.js';
import { CryptoModule } from './infra/crypto/crypto.module.js';
import { DatabaseModule } from './infra/database/database.module.js';
import { loggerOptions } from './infra/logging/logger.options.js';
import { SheetsModule } from './integrations/sheets/sheets.module.js';
import { SmsModule } from './sms/sms.module.js';
import { MetricsModule } from './infra/metrics/metrics.module.js';
import { RedisModule } from './infra/redis/redis.module.js';
import { RealtimeModule } from './realtime/realtime.module.js';
import { RetentionModule } from './retention/retention.module.js';
import { UserMappingModule } from './user-mapping/user-mapping.module.js';
import { VoicemailsModule } from './voicemails/voicemails.module.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerOptions(config)),
        DatabaseModule,
        RedisModule,
        CryptoModule,
        MetricsModule,
        HealthModule,
        AppsModule,
        ApiKeysModule,
        EventsModule,
        WebhooksModule,
        CallsModule,
        RealtimeModule,
        UserMappingModule,
        VoicemailsModule,
        SmsModule,
        AgentStatusModule,
        SheetsModule,
        DncModule,
        DialerSessionModule,
        DialpadConnectModule,
        RetentionModule,
      ],
    };
  }
}
