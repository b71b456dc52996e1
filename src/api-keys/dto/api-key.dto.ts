import { IsInt, IsOptional, Max, Min } from 'class-validator';
import type { AppId } from '../../common/app-id.js';
import { BeforeIdPageQueryDto } from '../../common/dto/page-query.dto.js';

export class RotateApiKeyDto {
  /** Seconds the previous key keeps working after rotation (0 = refused at once, the default; max 86400). */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(86_400)
  grace_seconds?: number;
}

export class AuditQueryDto extends BeforeIdPageQueryDto {}

export class IssuedApiKeyDto {
  app_id!: AppId;
  /** The new key, shown only in this answer. */
  api_key!: string;
  key_prefix!: string;
  created_at!: Date;
  /** Until when the previous key still works (null: it stopped working at once). */
  previous_key_valid_until!: Date | null;
}

export class RevokedApiKeyDto {
  app_id!: AppId;
  revoked_at!: Date;
}

export class ApiKeyStatusDto {
  app_id!: AppId;
  app_is_active!: boolean;
  /** `active`: a key is set; `revoked`: the key was revoked; `none`: never issued. */
  status!: 'active' | 'revoked' | 'none';
  key_prefix!: string | null;
  created_at!: Date | null;
  revoked_at!: Date | null;
  previous_key_valid_until!: Date | null;
}

export class AuditEntryDto {
  id!: string;
  action!: 'generate' | 'rotate' | 'revoke';
  key_prefix!: string | null;
  /** Subject of the admin token that did it. */
  actor!: string;
  request_ip!: string | null;
  user_agent!: string | null;
  created_at!: Date;
}

export class AuditPageDto {
  items!: AuditEntryDto[];
  /** Pass as `before` for the next (older) page; null at the end. */
  next_before!: string | null;
}
