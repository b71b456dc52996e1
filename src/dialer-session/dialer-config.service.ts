import { Injectable } from '@nestjs/common';
import type { AppId } from '../common/app-id.js';
import { DomainError } from '../common/errors/domain-error.js';
import { AppConfig } from '../infra/config/app-config.js';
import { type CampaignPolicy, resolvePolicy, validatePolicyOverrides } from '../policy/index.js';
import { DialerConfigRepository, type DialerConfigRow } from './dialer-config.repository.js';
import type { DialerConfigDto, DialerConfigInputDto } from './dto/dialer.dto.js';

export interface EffectiveDialerConfig {
  routerSpreadsheetId: string;
  routerTab: string | number;
  policy: CampaignPolicy;
  pauseReasons: readonly string[];
}

/** Why an agent may pause, unless the app lists its own. */
export const DEFAULT_PAUSE_REASONS: readonly string[] = ['Break', 'Lunch', 'Training', 'Meeting', 'Coaching', 'Technical issue', 'Other'];

/** The dialer configuration of an app: its own, else ROUTER_SPREADSHEET_ID with the default policy. */
@Injectable()
export class DialerConfigService {
  constructor(
    private readonly configs: DialerConfigRepository,
    private readonly env: AppConfig,
  ) {}

  async get(appId: AppId): Promise<DialerConfigDto> {
    const row = await this.configs.get(appId);
    if (row) return toDto(row);
    if (!this.env.ROUTER_SPREADSHEET_ID) throw new DomainError('NOT_FOUND', 'The dialer is not configured for this app (PUT dialer-config, or set ROUTER_SPREADSHEET_ID)');
    return {
      router_spreadsheet_id: this.env.ROUTER_SPREADSHEET_ID,
      router_tab: 'Router',
      policy: {},
      effective_policy: { ...resolvePolicy({}) },
      pause_reasons: [...DEFAULT_PAUSE_REASONS],
      source: 'env',
    };
  }

  async put(appId: AppId, input: DialerConfigInputDto): Promise<DialerConfigDto> {
    const policy = validatePolicyOverrides(input.policy);
    if (!policy.ok) throw new DomainError('INVALID_INPUT', `policy: ${policy.errors.join('; ')}`);
    const row = await this.configs.put(appId, {
      routerSpreadsheetId: input.router_spreadsheet_id,
      routerTab: input.router_tab ?? 'Router',
      policy: { ...policy.value },
      pauseReasons: input.pause_reasons ? [...new Set(input.pause_reasons.map((r) => r.trim()))] : null,
    });
    return toDto(row);
  }

  /** What the dialer runs with; a clear 409 when nothing is configured. */
  async effective(appId: AppId): Promise<EffectiveDialerConfig> {
    const row = await this.configs.get(appId);
    if (row) {
      return {
        routerSpreadsheetId: row.router_spreadsheet_id,
        routerTab: tabRef(row.router_tab),
        policy: resolvePolicy(row.policy),
        pauseReasons: row.pause_reasons ?? DEFAULT_PAUSE_REASONS,
      };
    }
    if (this.env.ROUTER_SPREADSHEET_ID) {
      return { routerSpreadsheetId: this.env.ROUTER_SPREADSHEET_ID, routerTab: 'Router', policy: resolvePolicy({}), pauseReasons: DEFAULT_PAUSE_REASONS };
    }
    throw new DomainError('CONFLICT', 'The dialer is not configured for this app: an admin must PUT /internal/apps/:app_id/dialer-config');
  }
}

function toDto(row: DialerConfigRow): DialerConfigDto {
  const { pause_reasons: pauseReasons, updated_at: _updated, ...rest } = row;
  return { ...rest, effective_policy: { ...resolvePolicy(row.policy) }, pause_reasons: pauseReasons ?? [...DEFAULT_PAUSE_REASONS], source: 'app' };
}

/** A tab given as digits is a numeric sheetId (the gid); anything else a title. */
export function tabRef(tab: string): string | number {
  return /^\d+$/.test(tab) ? Number(tab) : tab;
}
