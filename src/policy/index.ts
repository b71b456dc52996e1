// The preview dialer's policy engine (docs/architecture.md, "The dialer's rules"): pure functions, no Nest, no I/O, no clock.
export { type CampaignPolicy, type CampaignPolicyOverrides, DEFAULT_CAMPAIGN_POLICY, resolvePolicy } from './campaign-policy.js';
export {
  applyDisposition,
  DispositionError,
  type DispositionInput,
  type DispositionOutcome,
  NUMBER_ERASED,
  DISPOSITIONS,
  markInProgress,
  parseDispositionCode,
  type RowUpdate,
} from './disposition.js';
export { CampaignPolicyDto, validatePolicyOverrides, type PolicyValidation } from './dto/campaign-policy.dto.js';
export { parseStatus, warmLeads } from './lead.js';
export { normaliseRow, normaliseRows } from './normalise-row.js';
export { type LeadPick, type PickInput, type PickResult, type PickSummary, pickNext, type Reservations, type ScheduledCallback, type Skipped } from './pick-next.js';
export { toE164 } from './phone.js';
export * from './policy.types.js';
export { applyChanges, cellText, onlyChanged } from './row-changes.js';
export { areaCodeZones, type ZoneLookup, zoneOfCell } from './time-zones.js';
