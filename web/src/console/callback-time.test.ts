import { describe, expect, it } from 'vitest';
import {
  callbackStanding,
  isoWithOffset,
  leadTimeText,
  leadZone,
  localInputValue,
  offsetAt,
  parseLocalInput,
  quickInstant,
  resolveCallback,
  wallText,
  wallToInstant,
} from './callback-time';

const CHICAGO = { kind: 'iana', name: 'America/Chicago' } as const;
// Monday 2 March 2026, 15:00 UTC = 9:00 AM in Chicago (CST, UTC−6)
const NOW = Date.parse('2026-03-02T15:00:00Z');

describe('callback times in the lead\'s zone', () => {
  it('the lead\'s zone: its IANA zone, else its local time\'s offset, else the agent\'s', () => {
    expect(leadZone({ time_zone: 'America/Chicago', local_time: null })).toEqual(CHICAGO);
    expect(leadZone({ time_zone: 'Mars/Olympus', local_time: '2026-03-02T10:00:00-05:00' })).toEqual({ kind: 'offset', minutes: -300 });
    expect(leadZone({ time_zone: null, local_time: '2026-03-02T20:30:00+05:30' })).toEqual({ kind: 'offset', minutes: 330 });
    expect(leadZone(null)).toEqual({ kind: 'agent' });
  });

  it('offsets follow daylight saving (Chicago: −6 in winter, −5 from 8 March 2026)', () => {
    expect(offsetAt(CHICAGO, NOW)).toBe(-360);
    expect(offsetAt(CHICAGO, Date.parse('2026-03-09T15:00:00Z'))).toBe(-300);
    expect(offsetAt({ kind: 'offset', minutes: 330 }, NOW)).toBe(330);
  });

  it('a wall time in the lead\'s zone is one instant, sent with the lead\'s offset', () => {
    const at = wallToInstant(CHICAGO, { year: 2026, month: 3, day: 10, hour: 15, minute: 0 });
    expect(new Date(at).toISOString()).toBe('2026-03-10T20:00:00.000Z');
    expect(isoWithOffset(CHICAGO, at)).toBe('2026-03-10T15:00:00-05:00');
    expect(isoWithOffset({ kind: 'offset', minutes: 330 }, Date.parse('2026-03-10T09:30:00Z'))).toBe('2026-03-10T15:00:00+05:30');
    expect(localInputValue(CHICAGO, at)).toBe('2026-03-10T15:00');
  });

  it('quick choices: in 1 h (rounded up to 5 min), tomorrow 9 AM and 2 PM and in a week on the LEAD\'s clock', () => {
    expect(new Date(quickInstant(CHICAGO, 'in-1h', NOW + 2 * 60_000)).toISOString()).toBe('2026-03-02T16:05:00.000Z');
    expect(isoWithOffset(CHICAGO, quickInstant(CHICAGO, 'tomorrow-9', NOW))).toBe('2026-03-03T09:00:00-06:00');
    expect(isoWithOffset(CHICAGO, quickInstant(CHICAGO, 'tomorrow-14', NOW))).toBe('2026-03-03T14:00:00-06:00');
    // across the DST change: still 9 AM on the lead's clock
    expect(isoWithOffset(CHICAGO, quickInstant(CHICAGO, 'next-week-9', NOW))).toBe('2026-03-09T09:00:00-05:00');
    // late evening in UTC is still "today" in Chicago: tomorrow is the lead's tomorrow
    const lateUtc = Date.parse('2026-03-03T03:00:00Z'); // 9 PM on 2 March in Chicago
    expect(isoWithOffset(CHICAGO, quickInstant(CHICAGO, 'tomorrow-9', lateUtc))).toBe('2026-03-03T09:00:00-06:00');
    // month and year roll over
    expect(isoWithOffset(CHICAGO, quickInstant(CHICAGO, 'tomorrow-9', Date.parse('2026-12-31T18:00:00Z')))).toBe('2027-01-01T09:00:00-06:00');
  });

  it('shown plainly: weekday and 12-hour time, the zone named', () => {
    const at = Date.parse('2026-03-05T21:00:00Z'); // Thu 3:00 PM in Chicago
    expect(wallText(CHICAGO, at, NOW)).toBe('Thu 3:00 PM');
    expect(leadTimeText(CHICAGO, at, NOW)).toBe('Thu 3:00 PM lead time (America/Chicago)');
    expect(wallText(CHICAGO, Date.parse('2026-04-01T17:30:00Z'), NOW)).toBe('Wed Apr 1, 12:30 PM');
    expect(leadTimeText({ kind: 'offset', minutes: -300 }, at, NOW)).toBe('Thu 4:00 PM lead time (UTC−05:00)');
    expect(leadTimeText({ kind: 'agent' }, at, NOW)).toMatch(/your time \(the lead's time zone is unknown\)$/);
  });

  it('a typed date and time: read on the lead\'s clock; nonsense, past and more than a year ahead refused', () => {
    expect(parseLocalInput(CHICAGO, '2026-03-10T15:00')).toBe(Date.parse('2026-03-10T20:00:00Z'));
    expect(parseLocalInput(CHICAGO, '2026-04-31T15:00')).toBeNull();
    expect(parseLocalInput(CHICAGO, 'tomorrow')).toBeNull();
    expect(resolveCallback(CHICAGO, { kind: 'custom', local: '2026-03-10T15:00' }, NOW)).toEqual({ ok: true, atMs: Date.parse('2026-03-10T20:00:00Z'), iso: '2026-03-10T15:00:00-05:00' });
    expect(resolveCallback(CHICAGO, { kind: 'custom', local: '' }, NOW)).toMatchObject({ ok: false, error: expect.stringMatching(/Type the callback date/) });
    expect(resolveCallback(CHICAGO, { kind: 'custom', local: '2026-03-02T08:00' }, NOW)).toMatchObject({ ok: false, error: expect.stringMatching(/has passed/) });
    expect(resolveCallback(CHICAGO, { kind: 'custom', local: '2027-03-03T08:00' }, NOW)).toMatchObject({ ok: false, error: expect.stringMatching(/a year ahead/) });
    expect(resolveCallback(CHICAGO, { kind: 'quick', id: 'in-1h' }, NOW)).toMatchObject({ ok: true, iso: '2026-03-02T10:00:00-06:00' });
  });

  it('standing: upcoming, due, missed over 5 minutes past (or when the backend says so)', () => {
    expect(callbackStanding(NOW + 60_000, NOW)).toBe('upcoming');
    expect(callbackStanding(NOW - 60_000, NOW)).toBe('due');
    expect(callbackStanding(NOW - 6 * 60_000, NOW)).toBe('missed');
    expect(callbackStanding(NOW - 60_000, NOW, true)).toBe('missed');
  });
});
