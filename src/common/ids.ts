/** A UUID (any version), as Postgres and crypto.randomUUID() write it. */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A numeric id (Dialpad's int64 ids, bigint row ids) as a string of digits. */
export const DIGITS_ID_PATTERN = /^\d{1,32}$/;

export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}

/** Orders bigint ids carried as decimal strings (no leading zeros) without converting them. */
export function compareBigintIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
