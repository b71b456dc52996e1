import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ProcessedEvent, ProcessedEventsBus } from '../events/processed-events.bus.js';
import { CallProgressService } from './call-progress.service.js';
import { UUID_PATTERN } from '../common/ids.js';
import type { CallRow } from '../calls/calls.repository.js';

/** A call's status → its dial attempt's: on hold or parked is still connected; queued is still ringing. */
const ATTEMPT_STATUS: Readonly<Record<CallRow['status'], 'ringing' | 'connected' | 'ended'>> = {
  initiated: 'ringing',
  queued: 'ringing',
  ringing: 'ringing',
  connected: 'connected',
  on_hold: 'connected',
  parked: 'connected',
  ended: 'ended',
  missed: 'ended',
  unanswered: 'ended',
  blocked: 'ended',
  voicemail: 'ended',
};

/**
 * Follows the dialer's calls through the event pipeline: a processed call event
 * whose custom_data is an attempt id moves that attempt on, and its end asks the
 * agent for a disposition (SHOW_DISPO). Webhooks and the forwarder's
 * POST /events/dialpad both arrive here, deduplicated by the event log.
 */
@Injectable()
export class CallWatcher implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(CallWatcher.name);
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly bus: ProcessedEventsBus,
    private readonly progress: CallProgressService,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.bus.subscribe((events) => void this.handle(events));
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  private async handle(events: ProcessedEvent[]): Promise<void> {
    for (const e of events) {
      const call = e.call;
      if (!call?.custom_data || !UUID_PATTERN.test(call.custom_data)) continue;
      const status = ATTEMPT_STATUS[call.status];
      try {
        await this.progress.onCallProgress(e.appId, call.custom_data, status, {
          connectedAt: call.connected_at,
          endedAt: status === 'ended' ? (call.ended_at ?? new Date()) : null,
          durationMs: call.duration_ms,
        });
      } catch (err) {
        this.logger.error({ attempt_id: call.custom_data }, `could not record call progress: ${(err as Error).message}`);
      }
    }
  }
}
