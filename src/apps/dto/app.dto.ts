import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, Length } from 'class-validator';
import { OffsetPageQueryDto } from '../../common/dto/page-query.dto.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateAppDto {
  /** Display name of the tenant (1–200 characters). */
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  name!: string;
}

export class UpdateAppDto {
  /** New display name. */
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  name?: string;

  /** Inactive apps are refused (403) on REST, WebSocket and webhooks; their events are not processed. */
  @IsOptional()
  @IsBoolean()
  is_active?: boolean;

  /** Whether the CRM sees admin call recordings (Dialpad's `admincallrecording`) in `recordings`, REST and WebSocket. Default false. */
  @IsOptional()
  @IsBoolean()
  show_admin_recordings?: boolean;
}

export class ListAppsQueryDto extends OffsetPageQueryDto {}

export class AppDto {
  id!: string;
  name!: string;
  is_active!: boolean;
  /** The CRM sees admin call recordings (PATCH to change). */
  show_admin_recordings!: boolean;
  /** First characters of the current API key, for recognising it; null when revoked. */
  api_key_prefix!: string | null;
  created_at!: Date;
  updated_at!: Date;
}

export class CreatedAppDto extends AppDto {
  /** The API key, shown only in this answer: store it now. */
  api_key!: string;
  /** Secret Dialpad signs webhooks with (JWT HS256 or HMAC), shown only in this answer. */
  webhook_secret!: string;
}
