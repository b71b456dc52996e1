import type { CampaignPolicy } from './campaign-policy.js';

/**
 * Minutes a lead waits after its last outcome (the LastOutcome cell: a
 * disposition code, its hotkey, or a status name written by hand).
 */
export function retryDelayMinutes(lastOutcome: string, policy: CampaignPolicy): number {
  const d = policy.retry.delayMinutes;
  switch (lastOutcome) {
    case 'VM_SAME_NAME':
    case '3':
      return d.VM_SAME_NAME;
    case 'VM_OR_NA_UNKNOWN':
    case '4':
      return d.VM_OR_NA_UNKNOWN;
    case 'NO_ANSWER':
    case '5':
      return d.NO_ANSWER;
    case 'VOICEMAIL':
      return Math.max(d.VM_SAME_NAME, d.VM_OR_NA_UNKNOWN);
    default:
      return 0;
  }
}
