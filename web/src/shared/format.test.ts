import { describe, expect, it } from 'vitest';
import { clock, hms, leadLocalTime, phone, sheetPhone, statusLabel } from './format';

describe('format', () => {
  it('clock: mm:ss, h:mm:ss past an hour, never negative', () => {
    expect(clock(0)).toBe('00:00');
    expect(clock(83_400)).toBe('01:23');
    expect(clock(3_683_000)).toBe('1:01:23');
    expect(clock(-5000)).toBe('00:00');
    expect(hms(61_000)).toBe('0:01:01');
  });

  it('phone: NANP grouped, others as they are', () => {
    expect(phone('+15551234567')).toBe('+1 555 123 4567');
    expect(phone('+442071234567')).toBe('+442071234567');
    expect(phone(null)).toBe('—');
  });

  it('sheetPhone: numbers as typed in a sheet, grouped like the dialed one', () => {
    for (const typed of ['(808) 555-0101', '808-555-0101', '8085550101', '+1 808 555 0101', '1 808 555 0101']) expect(sheetPhone(typed, true)).toBe('+1 808 555 0101');
    expect(sheetPhone('+1 808 555 0101', false)).toBe('+1 808 555 0101');
    expect(sheetPhone('808-555-0101', false)).toBe('808-555-0101');
    expect(sheetPhone('020 7123 4567', true)).toBe('020 7123 4567');
    expect(sheetPhone('  ', true)).toBe('—');
  });

  it('lead local time: from the zone, else from an ISO offset (kept live), else HH:mm as given', () => {
    const now = Date.parse('2026-07-01T16:05:00Z');
    expect(leadLocalTime({ time_zone: 'America/Chicago' }, now)).toMatch(/^11:05\sAM CDT$/);
    expect(leadLocalTime({ time_zone: null, local_time: '2026-07-01T09:00:00-07:00' }, now)).toBe('9:05 AM (UTC-07:00)');
    expect(leadLocalTime({ local_time: '14:30' }, now)).toBe('14:30');
    expect(leadLocalTime({ time_zone: 'Not/AZone', local_time: null }, now)).toBeNull();
    expect(leadLocalTime(null, now)).toBeNull();
  });

  it('status labels', () => {
    expect(statusLabel('NO_ANSWER')).toBe('No answer');
    expect(statusLabel('')).toBe('—');
  });
});
