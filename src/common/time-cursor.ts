import { DomainError } from './errors/domain-error.js';
import { UUID_PATTERN } from './ids.js';

/**
 * The opaque cursor of the lists sorted newest first by a timestamp, then by uuid
 * (`/api/calls`, `/api/sms`): the last row's exact sort key and id.
 */
export interface TimeCursor {
  /** the sort key as exact UTC text: microseconds kept, so rows sharing a millisecond are not skipped */
  at: string;
  id: string;
}

export function encodeTimeCursor(c: TimeCursor): string {
  return Buffer.from(`${c.at}|${c.id}`, 'utf8').toString('base64url');
}

const CURSOR_AT = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.\d{1,6})?Z$/;

/** Checked fully here: whatever reaches PostgreSQL must cast cleanly (a failed cast would be a 500). */
export function decodeTimeCursor(cursor: string): TimeCursor {
  const [at = '', id = '', ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const seconds = CURSOR_AT.exec(at)?.[1];
  // the round trip refuses dates JavaScript rolls over but PostgreSQL rejects (2024-02-30)
  const valid = seconds !== undefined && !Number.isNaN(Date.parse(`${seconds}Z`)) && new Date(`${seconds}Z`).toISOString().startsWith(seconds);
  if (!valid || !UUID_PATTERN.test(id) || rest.length > 0) {
    throw new DomainError('INVALID_INPUT', 'cursor is not valid (use next_cursor from the previous page)');
  }
  return { at, id };
}

/** `to_char` pattern giving a timestamptz as TimeCursor.at */
export const CURSOR_AT_SQL = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;
