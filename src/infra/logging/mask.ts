/**
 * Phone numbers in logs are masked to `+1555***4567`: the country/area prefix
 * and the last four digits stay readable for support, the rest never leaves.
 * Matches E.164 (`+15551234567`, also URL-encoded `%2B1555…`) and bare runs of
 * 10–15 digits; shorter numbers (ids, counts, ports) are left alone.
 */
const PHONE = /(?:\+|%2B)\d{7,14}\b|(?<![\w.-])\d{10,15}(?![\w.-])/gi;

export function maskPhone(match: string): string {
  const plus = match.startsWith('+') ? '+' : match.toUpperCase().startsWith('%2B') ? '%2B' : '';
  const digits = match.slice(plus.length);
  return `${plus}${digits.slice(0, 4)}***${digits.slice(-4)}`;
}

export function maskPhoneNumbers(text: string): string {
  return text.replace(PHONE, maskPhone);
}

/** Deep copy of a log object with every string masked; bounded depth so a cycle cannot hang the logger. */
export function maskDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskPhoneNumbers(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, depth + 1));
  if (value instanceof Error) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = maskDeep(v, depth + 1);
  return out;
}
