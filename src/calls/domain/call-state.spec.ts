import fc from 'fast-check';
import { loadFixture } from '../../../test/fixtures/dialpad/index.js';
import { applyEvent, CALL_STATUSES, type CallSnapshot, type CallStatus, isTerminalStatus, statusRank } from './call-state.js';
import { EventTypes, normalizeDialpadEvent, type NormalizedEvent } from '../../integrations/dialpad/wire/dialpad-event.js';
import { CALL_STATES } from '../../integrations/dialpad/wire/call-states.js';
import { parseJsonLossless } from '../../common/lossless-json.js';

function event(name: string, overrides: Record<string, unknown> = {}): NormalizedEvent {
  const payload = { ...(parseJsonLossless(loadFixture(name)) as Record<string, unknown>), ...overrides };
  const result = normalizeDialpadEvent(payload);
  if (!result.ok) throw new Error(result.message);
  return result.event;
}

function fold(events: readonly NormalizedEvent[], start: CallSnapshot | null = null): CallSnapshot {
  const snapshot = events.reduce<CallSnapshot | null>((current, next) => applyEvent(current, next), start);
  if (snapshot === null) throw new Error('fold needs at least one event');
  return snapshot;
}

const at = (ms: number): Date => new Date(ms);

/** The inbound fixtures' caller, as read ("email": "" is unknown). */
const SAM = { id: '6131436978913281', name: 'Sam Caller', email: null, phone: '+14155550123', type: 'local' };

describe('applyEvent — call stories', () => {
  const ringing = event('inbound-ringing.json');
  const connected = event('inbound-connected.json');
  const hangup = event('inbound-hangup.json');
  const recording = event('recording.json');

  it('inbound ringing → connected → hangup ends as "ended" with its times and duration', () => {
    expect(fold([ringing, connected, hangup])).toEqual({
      status: 'ended',
      direction: 'inbound',
      fromNumber: '+14155550123',
      toNumber: '+15105550142',
      dialpadUserId: '4785129047965696',
      masterCallId: null,
      entryPointCallId: null,
      startedAt: at(1731700000000),
      ringingAt: at(1731700001200),
      connectedAt: at(1731700006500),
      endedAt: at(1731700071500),
      queuedAt: null,
      durationMs: 65000,
      recordingUrl: null,
      customData: null,
      lastEventAt: at(1731700072900),
      contact: SAM,
      contactAt: at(1731700072900),
      position: 'connected',
      positionAt: at(1731700006600),
    });
  });

  it('walks the statuses in order along the way', () => {
    expect(fold([ringing]).status).toBe('ringing');
    expect(fold([ringing, connected]).status).toBe('connected');
  });

  it('a recording only fills the recording URL', () => {
    const before = fold([ringing, connected, hangup]);
    expect(applyEvent(before, recording)).toEqual({
      ...before,
      recordingUrl: 'https://dialpad.com/r/EXAMPLErecording5910447283257344',
      lastEventAt: at(1731700075100),
      contactAt: at(1731700075100),
    });
  });

  it('a recording arriving before the hangup already ends the call (it states both connection and end)', () => {
    expect(fold([recording])).toMatchObject({ status: 'ended', connectedAt: at(1731700006500), endedAt: at(1731700071500) });
    expect(fold([connected, recording]).status).toBe('ended');
    expect(fold([recording, ringing, connected, hangup])).toEqual({
      ...fold([ringing, connected, hangup]),
      recordingUrl: 'https://dialpad.com/r/EXAMPLErecording5910447283257344',
      lastEventAt: at(1731700075100),
      contactAt: at(1731700075100),
    });
  });

  it('settles a call whose connection and end are known from different events as "ended"', () => {
    const endOnly = { ...recording, connectedAt: null };
    expect(fold([connected, endOnly]).status).toBe('ended');
    expect(fold([endOnly, connected]).status).toBe('ended');
  });

  it('outbound calling → hangup that never connected is "missed"', () => {
    const snapshot = fold([event('outbound-calling.json'), event('outbound-hangup-unanswered.json')]);
    expect(snapshot).toMatchObject({
      status: 'missed',
      direction: 'outbound',
      fromNumber: '+15105550142',
      toNumber: '+14155550177',
      startedAt: at(1731703000000),
      connectedAt: null,
      endedAt: at(1731703031000),
      durationMs: 0,
    });
  });

  it('the captured Dialpad hangup with date_connected null is "missed"', () => {
    expect(fold([event('real-hangup-unanswered-office.json')])).toMatchObject({
      status: 'missed',
      dialpadUserId: null,
      endedAt: at(1731624048355),
    });
  });

  it('a late call.ring after the end changes no status and no earlier time', () => {
    const lateRing = event('inbound-ringing.json', {
      date_rang: 1731700090000,
      date_first_rang: null,
      event_timestamp: 1731700090000,
    });
    const ended = fold([ringing, connected, hangup]);
    expect(applyEvent(ended, lateRing)).toEqual({ ...ended, lastEventAt: at(1731700090000), contactAt: at(1731700090000) });
  });

  it('a missed call that then takes a voicemail is "voicemail", in either order', () => {
    const missed = event('missed.json');
    const voicemail = event('voicemail.json');
    expect(fold([missed, voicemail]).status).toBe('voicemail');
    expect(fold([voicemail, missed]).status).toBe('voicemail');
  });

  it('a connected event arriving after the hangup turns "missed" into "ended"', () => {
    const neverConnectedHangup = event('inbound-hangup.json', { date_connected: null, duration: 0 });
    expect(fold([ringing, neverConnectedHangup]).status).toBe('missed');
    expect(fold([ringing, neverConnectedHangup, connected])).toMatchObject({
      status: 'ended',
      connectedAt: at(1731700006500),
      durationMs: 65000,
    });
  });

  it('a connected event is evidence enough, even without a connection time', () => {
    const neverConnectedHangup = event('inbound-hangup.json', { date_connected: null, duration: 0 });
    const untimedConnected = { ...connected, connectedAt: null };
    expect(fold([neverConnectedHangup, untimedConnected]).status).toBe('ended');
    expect(fold([untimedConnected, neverConnectedHangup]).status).toBe('ended');
  });

  it('call.missed for a call known to have connected is "ended"', () => {
    expect(fold([connected, event('missed.json', { call_id: 5910447283257344 })]).status).toBe('ended');
  });

  it('a voicemail on a call known to have connected is "ended"', () => {
    expect(fold([connected, event('voicemail.json', { call_id: 5910447283257344 })]).status).toBe('ended');
  });

  it('keeps the call graph of a routed leg', () => {
    expect(fold([event('leg-with-master.json')])).toMatchObject({
      status: 'connected',
      masterCallId: '6755399441055744',
      entryPointCallId: '6755399441055744',
      customData: 'crm-lead-4711',
    });
  });

  describe('seed-format events', () => {
    const seed = (overrides: Record<string, unknown>) => event('seed-call-ring.json', overrides);

    it('a call.ended that does not say whether it connected is "ended"', () => {
      const ended = seed({ event_type: 'call.ended', timestamp: '2026-01-28T10:31:00Z', duration: 45 });
      expect(fold([seed({}), ended])).toMatchObject({ status: 'ended', durationMs: 45000 });
    });

    it('voicemail beats such an ended', () => {
      const ended = seed({ event_type: 'call.ended', timestamp: '2026-01-28T10:31:00Z' });
      const voicemail = seed({ event_type: 'voicemail.received', timestamp: '2026-01-28T10:32:00Z' });
      expect(fold([seed({}), ended, voicemail]).status).toBe('voicemail');
    });
  });
});

describe('applyEvent — field rules', () => {
  const hangup = event('inbound-hangup.json');

  it('starts a new snapshot from any event, at "initiated" for events without a status', () => {
    expect(applyEvent(null, { ...hangup, eventType: EventTypes.transcription, connectedAt: null }).status).toBe('initiated');
    expect(applyEvent(null, { ...hangup, eventType: 'call.someday', connectedAt: null }).status).toBe('initiated');
  });

  it('never lets null overwrite a value', () => {
    const blank: NormalizedEvent = {
      ...hangup,
      eventType: EventTypes.transcription,
      contact: null,
      queuedAt: null,
      direction: null,
      fromNumber: null,
      toNumber: null,
      dialpadUserId: null,
      startedAt: null,
      ringingAt: null,
      connectedAt: null,
      endedAt: null,
      eventAt: null,
      durationMs: null,
    };
    const snapshot = applyEvent(null, hangup);
    expect(applyEvent(snapshot, blank)).toEqual(snapshot);
  });

  it('keeps the earliest start, ring and connection and the latest end and event', () => {
    const first = applyEvent(null, hangup);
    const shifted = (delta: number): NormalizedEvent => ({
      ...hangup,
      startedAt: at(1731700000000 + delta),
      ringingAt: at(1731700001200 + delta),
      connectedAt: at(1731700006500 + delta),
      endedAt: at(1731700071500 + delta),
      eventAt: at(1731700072900 + delta),
      durationMs: null,
    });
    expect(applyEvent(first, shifted(-1000))).toMatchObject({
      startedAt: at(1731699999000),
      ringingAt: at(1731700000200),
      connectedAt: at(1731700005500),
      endedAt: at(1731700071500),
      lastEventAt: at(1731700072900),
    });
    expect(applyEvent(first, shifted(1000))).toMatchObject({
      startedAt: at(1731700000000),
      connectedAt: at(1731700006500),
      endedAt: at(1731700072500),
      lastEventAt: at(1731700073900),
    });
  });

  it("takes the event's duration, or connected → ended when no event gives one", () => {
    const noDuration = { ...hangup, durationMs: null };
    expect(applyEvent(null, noDuration).durationMs).toBe(65000);
    expect(applyEvent(null, { ...noDuration, connectedAt: null }).durationMs).toBeNull();
    expect(applyEvent(null, { ...hangup, durationMs: 70000 }).durationMs).toBe(70000);
  });

  it('resolves two different values for one field the same way in either order', () => {
    const a = { ...hangup, fromNumber: '+14155550001', recordingUrl: 'https://x/a' };
    const b = { ...hangup, fromNumber: '+14155550002', recordingUrl: 'https://x/b' };
    expect(fold([a, b])).toEqual(fold([b, a]));
    expect(fold([a, b])).toMatchObject({ fromNumber: '+14155550001', recordingUrl: 'https://x/a' });
  });

  it('is idempotent: a redelivered event changes nothing', () => {
    const once = applyEvent(null, hangup);
    expect(applyEvent(once, hangup)).toEqual(once);
  });
});

describe('applyEvent — every Dialpad call state', () => {
  const ringing = event('inbound-ringing.json');
  const connected = event('inbound-connected.json');
  const hangup = event('inbound-hangup.json');
  /** the connected call at Dialpad time `ms`, in state `state` */
  const during = (state: string, ms: number): NormalizedEvent =>
    event('inbound-connected.json', { state, event_timestamp: ms, date_connected: 1731700006500 });

  it.each(CALL_STATES.filter((row) => row.eventType !== null).map((row) => [row.state, row] as const))(
    'a ringing call then %s moves as the table says',
    (state, row) => {
      const snapshot = fold([ringing, event('inbound-ringing.json', { state, event_timestamp: 1731700005000, date_connected: null, date_ended: null })]);
      const expected: Record<string, CallStatus> = {
        initiated: 'ringing',
        queued: 'ringing',
        ringing: 'ringing',
        connected: 'connected',
        hangup: 'missed',
        missed: 'missed',
        blocked: 'blocked',
        voicemail: 'voicemail',
      };
      const status = row.position === 'on_hold' || row.position === 'parked' ? row.position : row.status === null ? 'ringing' : expected[row.status];
      expect(snapshot.status).toBe(status);
    },
  );

  it('queued: a call-centre queue before an agent rings, with its queue time', () => {
    const queued = event('inbound-ringing.json', { state: 'queued', date_queued: 1731700000500, date_rang: null, date_first_rang: null, event_timestamp: 1731700000600 });
    expect(fold([queued])).toMatchObject({ status: 'queued', queuedAt: at(1731700000500), ringingAt: null });
    expect(fold([queued, ringing]).status).toBe('ringing');
    expect(fold([ringing, queued])).toEqual(fold([queued, ringing]));
  });

  it('hold ↔ connected: the latest hold, park or connected by Dialpad time decides, in any arrival order', () => {
    const hold = during('hold', 1731700020000);
    const resumed = during('connected', 1731700030000);
    const parked = during('parked', 1731700040000);
    expect(fold([ringing, connected, hold]).status).toBe('on_hold');
    expect(fold([ringing, connected, hold, resumed]).status).toBe('connected');
    expect(fold([resumed, hold, connected, ringing]).status).toBe('connected');
    expect(fold([hold, ringing]).status).toBe('on_hold');
    expect(fold([parked, resumed, hold, connected]).status).toBe('parked');
    expect(fold([ringing, connected, hold, resumed, parked, during('merged', 1731700050000)]).status).toBe('connected');
  });

  it('a hold with the same time as a connected wins the tie (parked over on hold over connected)', () => {
    expect(fold([during('connected', 1731700020000), during('hold', 1731700020000)]).status).toBe('on_hold');
    expect(fold([during('hold', 1731700020000), during('connected', 1731700020000)]).status).toBe('on_hold');
    expect(fold([during('parked', 1731700020000), during('hold', 1731700020000)]).status).toBe('parked');
  });

  it('supervisors (barge, eavesdrop, monitor, takeover) mean connected but do not end a hold', () => {
    for (const state of ['barge', 'eavesdrop', 'monitor', 'takeover']) {
      expect(fold([ringing, event('inbound-ringing.json', { state, event_timestamp: 1731700009000 })]).status).toBe('connected');
      expect(fold([connected, during('hold', 1731700020000), during(state, 1731700030000)]).status).toBe('on_hold');
    }
  });

  it('the end settles a held or parked call as ended', () => {
    expect(fold([connected, during('hold', 1731700020000), hangup]).status).toBe('ended');
    expect(fold([hangup, during('parked', 1731700080000), connected]).status).toBe('ended');
  });

  it('blocked: a miss Dialpad explains; a voicemail or a connection still win', () => {
    const blocked = event('real-hangup-unanswered-office.json', { state: 'blocked' });
    const unanswered = event('real-hangup-unanswered-office.json');
    expect(fold([blocked]).status).toBe('blocked');
    expect(fold([unanswered, blocked]).status).toBe('blocked');
    expect(fold([blocked, unanswered]).status).toBe('blocked');
    expect(fold([blocked, event('voicemail.json', { call_id: 6421977457180672 })]).status).toBe('voicemail');
    expect(fold([blocked, event('inbound-connected.json', { call_id: 6421977457180672 })]).status).toBe('ended');
  });

  it('post-call states (csat, recap, dispositions …) carry no status but their dates count', () => {
    const ended = fold([ringing, connected, hangup]);
    for (const state of ['csat', 'pcsat', 'postcall', 'dispositions', 'recap_summary', 'recap_outcome', 'recap_purposes', 'recap_action_items', 'ai_playbook', 'admin']) {
      const late = event('inbound-hangup.json', { state, event_timestamp: 1731700099000 });
      expect(applyEvent(ended, late)).toEqual({ ...ended, lastEventAt: at(1731700099000), contactAt: at(1731700099000) });
    }
  });

  it('preanswer: the call exists, nothing more', () => {
    const preanswer = event('inbound-ringing.json', { state: 'preanswer', date_rang: null, date_first_rang: null, event_timestamp: 1731700000100 });
    expect(fold([preanswer])).toMatchObject({ status: 'initiated', startedAt: at(1731700000000), ringingAt: null });
  });

  it('the contact of the newest event wins, whatever the arrival order', () => {
    const renamed = event('inbound-hangup.json', { event_timestamp: 1731700080000 });
    renamed.contact = { ...SAM, name: 'Sam Caller (Acme)', email: 'sam@acme.example' };
    expect(fold([ringing, renamed, connected]).contact).toEqual(renamed.contact);
    expect(fold([renamed, connected, ringing])).toEqual(fold([ringing, renamed, connected]));
    expect(fold([ringing]).contact).toEqual(SAM);
  });
});

describe('applyEvent — properties', () => {
  const T0 = 1731700000000;
  const time = fc.option(fc.integer({ min: 0, max: 20 }).map((s) => new Date(T0 + s * 1000)), { nil: null });
  const pick = <T>(...values: T[]) => fc.constantFrom(...values);

  const contacts = [
    { id: '6131436978913281', name: 'Sam Caller', email: null, phone: '+14155550123', type: 'local' },
    { id: '6131436978913281', name: 'Sam Caller (Acme)', email: 'sam@acme.example', phone: '+14155550123', type: 'shared' },
    { id: null, name: 'Alameda, CA', email: null, phone: '+14155550123', type: null },
  ];
  const eventArb: fc.Arbitrary<NormalizedEvent> = fc.record({
    // every event type of the table (each state's), and a future state
    eventType: pick(...Object.values(EventTypes), 'call.future_state'),
    state: pick(null, 'ringing', 'hold'),
    dialpadEventId: fc.string(),
    dialpadCallId: fc.constant('5910447283257344'),
    masterCallId: pick(null, '1', '2'),
    entryPointCallId: pick(null, '3'),
    direction: pick(null, 'inbound' as const, 'outbound' as const),
    fromNumber: pick(null, '+14155550123', '+14155550124'),
    toNumber: pick(null, '+15105550142'),
    dialpadUserId: pick(null, '4785129047965696', '4785129047965697'),
    startedAt: time,
    queuedAt: time,
    ringingAt: time,
    connectedAt: time,
    endedAt: time,
    eventAt: time,
    durationMs: fc.option(fc.integer({ min: 0, max: 30000 }), { nil: null }),
    recordingUrl: pick(null, 'https://x/1', 'https://x/2'),
    voicemailUrl: pick(null, 'https://x/v'),
    voicemailRecordingId: pick(null, '9'),
    transcriptionText: pick(null, 'hello'),
    customData: pick(null, 'a', 'b'),
    contact: pick(null, ...contacts),
    neverConnected: fc.boolean(),
  });

  /** A multiset of events (repeats included) and a shuffled copy of it. */
  const shuffledMultiset = fc
    .array(eventArb, { minLength: 1, maxLength: 8 })
    .chain((events) =>
      fc.tuple(
        fc.constant(events),
        fc.array(fc.nat(events.length - 1), { maxLength: 4 }),
        fc.array(fc.double({ noNaN: true }), { minLength: events.length + 4, maxLength: events.length + 4 }),
      ),
    )
    .map(([events, repeats, keys]) => {
      const multiset = [...events, ...repeats.map((i) => events[i] as NormalizedEvent)];
      const order = multiset.map((_, i) => i).sort((x, y) => (keys[x] as number) - (keys[y] as number) || x - y);
      return { multiset, shuffled: order.map((i) => multiset[i] as NormalizedEvent) };
    });

  it('gives the same snapshot for any arrival order of the same events, duplicates included', () => {
    fc.assert(
      fc.property(shuffledMultiset, ({ multiset, shuffled }) => {
        expect(fold(shuffled)).toEqual(fold(multiset));
      }),
      { numRuns: 1000 },
    );
  });

  it('is idempotent: replaying every event again changes nothing', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { minLength: 1, maxLength: 8 }), (events) => {
        const once = fold(events);
        expect(fold(events, once)).toEqual(once);
      }),
    );
  });

  it('never lowers the status rank along the way', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { minLength: 1, maxLength: 12 }), (events) => {
        let previous: CallSnapshot | null = null;
        for (const next of events) {
          const current: CallSnapshot = applyEvent(previous, next);
          if (previous !== null) expect(statusRank(current.status)).toBeGreaterThanOrEqual(statusRank(previous.status));
          previous = current;
        }
      }),
    );
  });

  it('a connected call is on hold or parked exactly when the latest position event says so', () => {
    const positionOf = (e: NormalizedEvent) => CALL_STATES.find((row) => row.eventType === e.eventType)?.position ?? null;
    const tie = { connected: 0, on_hold: 1, parked: 2 } as const;
    fc.assert(
      fc.property(fc.array(eventArb, { minLength: 1, maxLength: 10 }), (events) => {
        const snapshot = fold(events);
        const latestPosition = events
          .flatMap((e) => {
            const position = positionOf(e);
            return position ? [{ position, at: e.eventAt?.getTime() ?? -Infinity }] : [];
          })
          .reduce<{ position: 'connected' | 'on_hold' | 'parked'; at: number } | null>(
            (best, next) => (best === null || next.at > best.at || (next.at === best.at && tie[next.position] > tie[best.position]) ? next : best),
            null,
          );
        if (snapshot.status === 'on_hold' || snapshot.status === 'parked') expect(latestPosition?.position).toBe(snapshot.status);
        if (statusRank(snapshot.status) === 3 && latestPosition && latestPosition.position !== 'connected') expect(snapshot.status).toBe(latestPosition.position);
      }),
    );
  });

  it('settles every terminal outcome of a call with a known connection time as "ended"', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { minLength: 1, maxLength: 8 }), (events) => {
        const snapshot = fold(events);
        if (snapshot.connectedAt !== null && isTerminalStatus(snapshot.status)) expect(snapshot.status).toBe('ended');
        if (snapshot.connectedAt !== null && snapshot.endedAt !== null) expect(snapshot.status).toBe('ended');
      }),
    );
  });

  it('never leaves a status that an event of any type could lower', () => {
    const everyStatus: CallStatus[] = [...CALL_STATUSES];
    fc.assert(
      fc.property(pick(...everyStatus), eventArb, (status, next) => {
        const before: CallSnapshot = { ...fold([next]), status };
        expect(statusRank(applyEvent(before, next).status)).toBeGreaterThanOrEqual(statusRank(status));
      }),
    );
  });
});
