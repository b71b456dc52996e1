import fc from 'fast-check';
import { DateTime } from 'luxon';
import { CHICAGO, DENVER, HONOLULU, LA, NY, NY2, SOUTH_DAKOTA, TOLL_FREE } from '../../test/support/policy-rows.js';
import { type CampaignPolicy, minutesOfDay, resolvePolicy } from './campaign-policy.js';
import { parseStatus } from './lead.js';
import { toE164 } from './phone.js';
import { pickNext, type PickInput } from './pick-next.js';
import { type AgentRow, MAX_NUMBERS, OPEN_STATUSES, type PhoneStatus } from './policy.types.js';
import { retryDelayMinutes } from './retry.js';
import { areaCodeZones, zoneOfCell } from './time-zones.js';

const NUMBERS = [NY, NY2, CHICAGO, DENVER, LA, HONOLULU, SOUTH_DAKOTA, TOLL_FREE, '(212) 555-0123', '+447911123456', 'not a number', '', ''];
const STATUSES = ['', 'NEW', 'IN_PROGRESS', 'CORRECT', 'WRONG', 'VOICEMAIL', 'NO_ANSWER', 'SKIPPED', 'EXHAUSTED', 'dnc', 'no answer'];
const OUTCOMES = ['', 'CORRECT', 'WRONG', 'VM_SAME_NAME', 'VM_OR_NA_UNKNOWN', 'NO_ANSWER', 'SKIP', 'VOICEMAIL'];
const ZONES = ['', '', 'America/Los_Angeles', 'PT', 'Asia/Tokyo', 'Bogus/Zone'];

const nowArb = fc.date({ min: new Date('2024-01-01T00:00:00Z'), max: new Date('2026-01-01T00:00:00Z'), noInvalidDate: true });

const rowArb = (now: Date) =>
  fc.record({
    numbers: fc.array(fc.constantFrom(...NUMBERS), { maxLength: MAX_NUMBERS }),
    statuses: fc.array(fc.constantFrom(...STATUSES), { maxLength: MAX_NUMBERS }),
    attemptCount: fc.oneof(fc.constant(''), fc.integer({ min: 0, max: 8 }).map(String)),
    nextIndex: fc.oneof(fc.constant(''), fc.integer({ min: 0, max: 11 }).map(String)),
    lastOutcome: fc.constantFrom(...OUTCOMES),
    lastCalledAt: fc.oneof(fc.constant(''), fc.integer({ min: 0, max: 400 }).map((m) => new Date(now.getTime() - m * 60_000).toISOString())),
    timezone: fc.constantFrom(...ZONES),
    rowId: fc.oneof({ weight: 10, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom('', 'DUP') }),
  });

const policyArb: fc.Arbitrary<CampaignPolicy> = fc
  .record({
    windowOn: fc.boolean(),
    start: fc.integer({ min: 0, max: 12 }),
    end: fc.integer({ min: 13, max: 24 }),
    retryOn: fc.boolean(),
    maxAttempts: fc.integer({ min: 1, max: 8 }),
  })
  .map(({ windowOn, start, end, retryOn, maxAttempts }) =>
    resolvePolicy({
      callingWindow: { enabled: windowOn, start: `${String(start).padStart(2, '0')}:00`, end: `${String(end).padStart(2, '0')}:00` },
      retry: { enabled: retryOn },
      maxAttempts,
    }),
  );

const inputArb: fc.Arbitrary<PickInput> = nowArb.chain((now) =>
  fc
    .record({
      specs: fc.array(rowArb(now), { maxLength: 25 }),
      policy: policyArb,
      reservedNumbers: fc.subarray([NY, CHICAGO, LA]),
      reservedRows: fc.subarray(['R1', 'R2', 'R3']),
    })
    .map(({ specs, policy, reservedNumbers, reservedRows }) => ({
      readyState: 'PLAY',
      now,
      policy,
      reserved: { numbers: new Set(reservedNumbers), rowIds: new Set(reservedRows) },
      rows: specs.map(
        (s, i): AgentRow => ({
          rowIndex: i + 2,
          rowId: s.rowId ?? `R${i + 1}`,
          name: `Lead ${i + 1}`,
          numbers: Array.from({ length: MAX_NUMBERS }, (_, j) => s.numbers[j] ?? ''),
          statuses: Array.from({ length: MAX_NUMBERS }, (_, j) => s.statuses[j] ?? ''),
          notes: '',
          lastOutcome: s.lastOutcome,
          attemptCount: s.attemptCount,
          nextIndex: s.nextIndex,
          lastCalledAt: s.lastCalledAt,
          timezone: s.timezone,
          extra: {},
        }),
      ),
    })),
);

const clone = (rows: readonly AgentRow[]): AgentRow[] => rows.map((r) => ({ ...r, numbers: [...r.numbers], statuses: [...r.statuses] }));

describe('pickNext — properties', () => {
  it('never picks a terminal, in-progress or unknown-status number, nor a lead being dialed, done, exhausted or reserved', () => {
    let picks = 0;
    fc.assert(
      fc.property(inputArb, (input) => {
        const { pick } = pickNext(input);
        if (!pick) return;
        picks++;
        const row = input.rows.find((r) => r.rowIndex === pick.rowIndex)!;
        const statuses = row.statuses.map(parseStatus);
        expect(OPEN_STATUSES.has(statuses[pick.numberIndex - 1] as PhoneStatus)).toBe(true);
        expect(statuses.some((s, i) => row.numbers[i]!.trim() !== '' && (s === 'IN_PROGRESS' || s === 'CORRECT'))).toBe(false);
        expect(Number(row.attemptCount || 0)).toBeLessThan(input.policy.maxAttempts);
        expect(pick.phone).toBe(toE164(row.numbers[pick.numberIndex - 1]!, input.policy.defaultRegion));
        expect(input.reserved!.numbers!.has(pick.phone)).toBe(false);
        expect(input.reserved!.rowIds!.has(pick.rowId)).toBe(false);
        expect(pick.rowId.trim()).not.toBe('');
        // the same number earlier in the lead is never dialed again
        const earlier = row.numbers.slice(0, pick.numberIndex - 1).map((n) => toE164(n, input.policy.defaultRegion));
        expect(earlier).not.toContain(pick.phone);
      }),
      { numRuns: 400 },
    );
    expect(picks).toBeGreaterThan(40); // the generator does reach picks: the property is not vacuous
  });

  it('never picks a number outside its calling window (every zone of the number, or the row\'s zone)', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const { pick } = pickNext(input);
        const w = input.policy.callingWindow;
        if (!pick || !w.enabled) return;
        const row = input.rows.find((r) => r.rowIndex === pick.rowIndex)!;
        const zones = zoneOfCell(row.timezone) ?? areaCodeZones(pick.phone) ?? [input.policy.defaultTimezone];
        for (const zone of zones) {
          const local = DateTime.fromJSDate(input.now, { zone });
          const minute = local.hour * 60 + local.minute;
          expect(minute).toBeGreaterThanOrEqual(minutesOfDay(w.start)!);
          expect(minute).toBeLessThan(minutesOfDay(w.end)!);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('never picks a lead whose retry delay is still running', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const { pick } = pickNext(input);
        if (!pick || !input.policy.retry.enabled) return;
        const row = input.rows.find((r) => r.rowIndex === pick.rowIndex)!;
        if (row.lastCalledAt === '') return;
        const readyAt = Date.parse(row.lastCalledAt) + retryDelayMinutes(row.lastOutcome, input.policy) * 60_000;
        expect(input.now.getTime()).toBeGreaterThanOrEqual(readyAt);
      }),
      { numRuns: 300 },
    );
  });

  it('is deterministic: the same input (fresh copies) gives the same answer', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const first = pickNext(input);
        expect(pickNext({ ...input, rows: clone(input.rows), now: new Date(input.now.getTime()) })).toEqual(first);
        expect(pickNext(input)).toEqual(first);
      }),
      { numRuns: 200 },
    );
  });

  it('takes rows top to bottom: everything reported lies above the pick, and nothing is picked when paused', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const result = pickNext(input);
        const limit = result.pick ? result.pick.rowIndex : Number.POSITIVE_INFINITY;
        for (const s of result.skipped) expect(s.rowIndex).toBeLessThan(limit);
        const indices = result.skipped.map((s) => s.rowIndex);
        expect(indices).toEqual([...indices].sort((a, b) => a - b));
        expect(result.summary.scanned).toBe(result.pick ? result.pick.rowIndex - 1 : input.rows.length);
        expect(pickNext({ ...input, readyState: 'PAUSE' }).pick).toBeNull();
      }),
      { numRuns: 200 },
    );
  });
});
