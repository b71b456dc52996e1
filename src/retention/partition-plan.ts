/**
 * Which daily partitions of a range-partitioned table to create and which to drop
 * (docs/architecture.md, "The event log's lifecycle"). Pure: the caller passes the
 * partitions it found and the time.
 */

export const DAY_MS = 86_400_000;

export interface ExistingPartition {
  name: string;
  /** the exclusive upper bound; null for MAXVALUE (never dropped, nothing created after it) */
  upper: Date | null;
}

export interface NewPartition {
  name: string;
  from: Date;
  to: Date;
}

export interface PartitionPlan {
  create: NewPartition[];
  drop: string[];
}

/** Midnight UTC of the day `at` falls in. */
export function dayStartUtc(at: Date): Date {
  return new Date(Math.floor(at.getTime() / DAY_MS) * DAY_MS);
}

/** `<table>_pYYYYMMDD`, the day's partition. */
export function partitionName(table: string, day: Date): string {
  return `${table}_p${day.toISOString().slice(0, 10).replaceAll('-', '')}`;
}

/**
 * Creates one partition per day from the end of the newest one (or from today, if
 * that is later: rows are stamped with the time they arrive, so a missed day needs none) until
 * `daysAhead` whole days after today are covered; drops every partition whose
 * rows are all older than `retentionDays` (its upper bound is at or before the cutoff).
 */
export function planPartitions(table: string, existing: ExistingPartition[], now: Date, daysAhead: number, retentionDays: number): PartitionPlan {
  const cutoff = now.getTime() - retentionDays * DAY_MS;
  const drop = existing.filter((p) => p.upper !== null && p.upper.getTime() <= cutoff).map((p) => p.name);
  if (existing.some((p) => p.upper === null)) return { create: [], drop };
  const newest = Math.max(...existing.map((p) => p.upper!.getTime()), dayStartUtc(now).getTime());
  const until = dayStartUtc(now).getTime() + (daysAhead + 1) * DAY_MS;
  const create: NewPartition[] = [];
  for (let from = newest; from < until; from += DAY_MS) {
    create.push({ name: partitionName(table, new Date(from)), from: new Date(from), to: new Date(from + DAY_MS) });
  }
  return { create, drop };
}
