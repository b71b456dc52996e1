import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';

const cache = new Map<string, string | null>();
const CACHE_LIMIT = 200_000;

/**
 * A sheet's phone cell → E.164, or null when it is not a valid number
 * (libphonenumber-js, full metadata; `region` for numbers without +country).
 * Memoised: the same cell text is parsed once per process (a deterministic
 * function of its input, so the memo never changes an answer).
 */
export function toE164(raw: string, region: CountryCode): string | null {
  const key = `${region}|${raw}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const value = parse(raw, region);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, value);
  return value;
}

function parse(raw: string, region: CountryCode): string | null {
  const text = raw.trim();
  if (text === '') return null;
  try {
    const parsed = parsePhoneNumberFromString(text, { defaultCountry: region, extract: false });
    return parsed?.isValid() ? parsed.number : null;
  } catch {
    return null;
  }
}
