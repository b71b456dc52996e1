import { Transform } from 'class-transformer';
import type { AppId } from '../../common/app-id.js';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Matches, Max, Min } from 'class-validator';

export class ConnectQueryDto {
  /** The app (tenant) to connect to a Dialpad company. */
  @IsUUID('all', { message: 'app_id must be a UUID' })
  app_id!: AppId;

  /** `json`: answer `{authorize_url, state_expires_at}` instead of a 302 (for frontends that open the page themselves). */
  @IsOptional()
  @IsIn(['redirect', 'json'])
  response?: 'redirect' | 'json';
}

export class ConnectUrlDto {
  /** Dialpad's consent page: open it in the browser. */
  authorize_url!: string;
  /** The link (its `state`) works once, until then. */
  state_expires_at!: Date;
}

/** What Dialpad appends to the redirect URI. Every field is optional so a bad callback gets a message, not a validation dump. */
export class CallbackQueryDto {
  /** The authorization code. */
  @IsOptional()
  @IsString()
  @Length(1, 2048)
  code?: string;

  /** The state issued by /auth/dialpad/connect. */
  @IsOptional()
  @IsString()
  @Length(1, 4096)
  state?: string;

  /** Set by Dialpad when the user declined (e.g. `access_denied`). */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  error?: string;

  @IsOptional()
  @IsString()
  @Length(0, 1000)
  error_description?: string;
}

export type ConnectionStatusName = 'not_connected' | 'pending' | 'connected' | 'needs_reconnect' | 'disconnected';

export class DialpadStatusDto {
  app_id!: AppId;
  /** `not_connected` (never started), `pending` (connect started, not finished), `connected`, `needs_reconnect` (the grant was revoked or the refresh token refused: connect again), `disconnected`. */
  status!: ConnectionStatusName;
  connected!: boolean;
  needs_reconnect!: boolean;
  /** The connected Dialpad company (also used to route webhooks sent with x-dialpad-org-id). */
  dialpad_company_id!: string | null;
  /** The Dialpad user who authorized the connection. */
  dialpad_user_id!: string | null;
  /** Granted scopes. */
  scopes!: string[];
  /** When the current access token expires (it is refreshed shortly before). */
  expires_at!: Date | null;
  connected_at!: Date | null;
  last_refreshed_at!: Date | null;
  /** The last failure talking to Dialpad for this connection (no secrets). */
  last_error!: string | null;
  /** Set by POST …/dialpad/subscribe. */
  webhook_id!: string | null;
  subscription_id!: string | null;
  updated_at!: Date | null;
}

export class DisconnectResultDto extends DialpadStatusDto {
  /** Whether Dialpad confirmed the revocation (best effort: the tokens are wiped here either way). */
  deauthorized!: boolean;
}

export class SyncUsersResultDto {
  /** Users written (created or updated). */
  synced!: number;
  /** Pages read from Dialpad (each at most 100 users). */
  pages!: number;
  /** Users removed because Dialpad no longer lists them. */
  removed!: number;
  synced_at!: Date;
}

export class DialpadUserDto {
  dialpad_user_id!: string;
  first_name!: string | null;
  last_name!: string | null;
  display_name!: string | null;
  emails!: string[];
  phone_numbers!: string[];
  state!: string | null;
  synced_at!: Date;
}

export class ListDialpadUsersQueryDto {
  /** Page size (1–500, default 100). */
  @IsOptional()
  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @IsOptional()
  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(0)
  offset?: number;
}

export class SubscribeDto {
  /** Dialpad call states to receive (default `["all"]`). */
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(40)
  @Matches(/^[a-z_]{1,40}$/, { each: true, message: 'call_states must be Dialpad call state names such as "hangup"' })
  call_states?: string[];

  /** Create a new webhook and subscription even if this app already has one. */
  @IsOptional()
  @IsBoolean()
  force?: boolean;
}

export class SubscribeResultDto {
  /** The webhook Dialpad posts to. */
  webhook_id!: string;
  /** The call-event subscription feeding it. */
  subscription_id!: string;
  /** PUBLIC_BASE_URL + /webhooks/dialpad/<app_id> */
  hook_url!: string;
  call_states!: string[];
  /** False when the app was already subscribed (nothing was created; pass force: true to create anew). */
  created!: boolean;
}
