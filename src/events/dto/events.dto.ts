import { IsIn, IsOptional } from 'class-validator';
import { BeforeIdPageQueryDto } from '../../common/dto/page-query.dto.js';
import type { EventStatus } from '../events.repository.js';

export class ListEventsQueryDto extends BeforeIdPageQueryDto {
  /** pending: not yet tried; failed: retrying; processed; dead: gave up after EVENT_MAX_ATTEMPTS. */
  @IsOptional()
  @IsIn(['pending', 'failed', 'processed', 'dead'])
  status?: EventStatus;
}

export class WebhookEventDto {
  id!: string;
  dialpad_event_id!: string;
  event_type!: string;
  dialpad_call_id!: string | null;
  status!: 'pending' | 'failed' | 'processed' | 'dead';
  received_at!: Date;
  processed_at!: Date | null;
  attempts!: number;
  last_error!: string | null;
  next_attempt_at!: Date;
  dead_at!: Date | null;
}

export class WebhookEventDetailDto extends WebhookEventDto {
  /** The payload as stored (big integer ids kept exact). */
  payload!: Record<string, unknown>;
}

export class WebhookEventPageDto {
  items!: WebhookEventDto[];
  next_before!: string | null;
}

export class ReplayResultDto {
  id!: string;
  requeued!: true;
}
