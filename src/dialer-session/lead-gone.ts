import { DomainError } from '../common/errors/domain-error.js';
import { LEAD_GONE } from '../integrations/sheets/lead-writer.js';

/** The lead's row was deleted from the sheet (the Sheets writer's answer). */
export function isLeadGone(err: unknown): boolean {
  return err instanceof DomainError && err.details?.reason === LEAD_GONE;
}
