import type { CountryCode } from 'libphonenumber-js/max';
import type { RetryableCode } from './policy.types.js';

/** A campaign's dialing rules, as data (docs/architecture.md, "Picking the next number"). */
export interface CampaignPolicy {
  callingWindow: {
    enabled: boolean;
    /** HH:mm, local time of the called person, inclusive */
    start: string;
    /** HH:mm, exclusive */
    end: string;
  };
  retry: {
    enabled: boolean;
    /** minutes to wait after the lead's last call, by its last outcome */
    delayMinutes: Record<RetryableCode, number>;
  };
  /** attempts per lead; at this count the lead's open numbers become EXHAUSTED */
  maxAttempts: number;
  /** optional cap of dials per number in any 24 h; null: no cap */
  maxAttemptsPerNumberPer24h: number | null;
  /** optional caps from the attempt history (PostgreSQL, not the sheet: editing the sheet cannot reset them); null: no cap */
  maxAttemptsPerNumberPer7d: number | null;
  maxAttemptsPerLeadPer24h: number | null;
  maxAttemptsPerLeadPer7d: number | null;
  /** region for numbers written without a country code (ISO 3166 alpha-2) */
  defaultRegion: CountryCode;
  /** IANA zone when neither the row nor the number tells the called person's zone */
  defaultTimezone: string;
}

export const DEFAULT_CAMPAIGN_POLICY: Readonly<CampaignPolicy> = Object.freeze({
  // the US federal rule (TSR, 16 CFR 310.4(c)): no calls before 8 am or after 9 pm, called person's time
  callingWindow: Object.freeze({ enabled: true, start: '08:00', end: '21:00' }),
  retry: Object.freeze({
    enabled: true,
    delayMinutes: Object.freeze({ VM_SAME_NAME: 180, VM_OR_NA_UNKNOWN: 180, NO_ANSWER: 60 }),
  }),
  maxAttempts: 6,
  maxAttemptsPerNumberPer24h: null,
  maxAttemptsPerNumberPer7d: null,
  maxAttemptsPerLeadPer24h: null,
  maxAttemptsPerLeadPer7d: null,
  defaultRegion: 'US',
  defaultTimezone: 'America/New_York',
});

/** What an app may override (PUT dialer-config `policy`); anything left out keeps its default. */
export interface CampaignPolicyOverrides {
  callingWindow?: Partial<CampaignPolicy['callingWindow']>;
  retry?: { enabled?: boolean; delayMinutes?: Partial<Record<RetryableCode, number>> };
  maxAttempts?: number;
  maxAttemptsPerNumberPer24h?: number | null;
  maxAttemptsPerNumberPer7d?: number | null;
  maxAttemptsPerLeadPer24h?: number | null;
  maxAttemptsPerLeadPer7d?: number | null;
  defaultRegion?: CountryCode;
  defaultTimezone?: string;
}

/** The defaults with `overrides` laid over them (validate overrides first: validatePolicyOverrides). */
export function resolvePolicy(overrides: CampaignPolicyOverrides = {}): CampaignPolicy {
  const d = DEFAULT_CAMPAIGN_POLICY;
  return {
    callingWindow: { ...d.callingWindow, ...defined(overrides.callingWindow) },
    retry: {
      enabled: overrides.retry?.enabled ?? d.retry.enabled,
      delayMinutes: { ...d.retry.delayMinutes, ...defined(overrides.retry?.delayMinutes) },
    },
    maxAttempts: overrides.maxAttempts ?? d.maxAttempts,
    maxAttemptsPerNumberPer24h:
      overrides.maxAttemptsPerNumberPer24h === undefined ? d.maxAttemptsPerNumberPer24h : overrides.maxAttemptsPerNumberPer24h,
    maxAttemptsPerNumberPer7d: overrides.maxAttemptsPerNumberPer7d === undefined ? d.maxAttemptsPerNumberPer7d : overrides.maxAttemptsPerNumberPer7d,
    maxAttemptsPerLeadPer24h: overrides.maxAttemptsPerLeadPer24h === undefined ? d.maxAttemptsPerLeadPer24h : overrides.maxAttemptsPerLeadPer24h,
    maxAttemptsPerLeadPer7d: overrides.maxAttemptsPerLeadPer7d === undefined ? d.maxAttemptsPerLeadPer7d : overrides.maxAttemptsPerLeadPer7d,
    defaultRegion: overrides.defaultRegion ?? d.defaultRegion,
    defaultTimezone: overrides.defaultTimezone ?? d.defaultTimezone,
  };
}

function defined<T extends object>(value: T | undefined): Partial<T> {
  if (!value) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** "HH:mm" → minutes after midnight, or null when malformed. */
export function minutesOfDay(hhmm: string): number | null {
  const m = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(hhmm);
  if (!m) return null;
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  return minutes <= 24 * 60 ? minutes : null;
}
