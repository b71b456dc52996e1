import { DomainError } from './errors/domain-error.js';

/** A list's `from`/`to` query (ISO 8601, already validated) as dates; INVALID_INPUT unless `from` is before `to`. */
export function timeRange(q: { from?: string; to?: string }): { from: Date | undefined; to: Date | undefined } {
  const from = q.from ? new Date(q.from) : undefined;
  const to = q.to ? new Date(q.to) : undefined;
  if (from && to && from >= to) throw new DomainError('INVALID_INPUT', '`from` must be before `to`');
  return { from, to };
}
