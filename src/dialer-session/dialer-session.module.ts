import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { DncModule } from '../dnc/dnc.module.js';
import { EventsModule } from '../events/events.module.js';
import { DialpadModule } from '../integrations/dialpad/dialpad.module.js';
import { SheetsModule } from '../integrations/sheets/sheets.module.js';
import { RealtimeModule } from '../realtime/realtime.module.js';
import { AgentTokenController } from './agent-token.controller.js';
import { AttemptsRepository } from './attempts.repository.js';
import { CallProgressService } from './call-progress.service.js';
import { CallWatcher } from './call-watcher.service.js';
import { DialScheduler } from './dial-scheduler.service.js';
import { DialPlacement } from './dial-placement.service.js';
import { DispositionService } from './disposition.service.js';
import { DialerConfigController } from './dialer-config.controller.js';
import { DialerConfigRepository } from './dialer-config.repository.js';
import { DialerConfigService } from './dialer-config.service.js';
import { DialerMetrics } from './dialer-metrics.js';
import { DialerController } from './dialer.controller.js';
import { AdminCallbacksController, AgentCallbacksController } from './callbacks.controller.js';
import { CallbacksRepository } from './callbacks.repository.js';
import { CallbacksService } from './callbacks.service.js';
import { AttemptHistoryController } from './attempt-history.controller.js';
import { AttemptHistoryRepository } from './attempt-history.repository.js';
import { PausesRepository } from './pauses.repository.js';
import { ReservationStore } from './reservation.store.js';
import { SessionLifecycle } from './session-lifecycle.service.js';
import { SessionLock } from './session-lock.js';
import { SessionStatsStore } from './session-stats.store.js';
import { SessionViews } from './session-views.service.js';
import { SessionStore } from './session.store.js';

/** The preview dialer: agent tokens, sessions, dial and disposition. */
@Module({
  imports: [AuthModule, EventsModule, SheetsModule, DialpadModule, RealtimeModule, DncModule],
  controllers: [AgentTokenController, DialerController, DialerConfigController, AttemptHistoryController, AgentCallbacksController, AdminCallbacksController],
  providers: [
    SessionLifecycle,
    DialPlacement,
    DialScheduler,
    DispositionService,
    CallProgressService,
    SessionLock,
    SessionViews,
    PausesRepository,
    AttemptHistoryRepository,
    CallbacksRepository,
    CallbacksService,
    DialerConfigService,
    DialerConfigRepository,
    AttemptsRepository,
    SessionStore,
    SessionStatsStore,
    ReservationStore,
    CallWatcher,
    DialerMetrics,
  ],
})
export class DialerSessionModule {}
