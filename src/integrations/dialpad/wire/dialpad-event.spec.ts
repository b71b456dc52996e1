import fc from 'fast-check';
import { loadFixture } from '../../../../test/fixtures/dialpad/index.js';
import { eventTypeForState, normalizeDialpadEvent, type NormalizedEvent } from './dialpad-event.js';
import { parseJsonLossless } from '../../../common/lossless-json.js';

function fixture(name: string): Record<string, unknown> {
  return parseJsonLossless(loadFixture(name)) as Record<string, unknown>;
}

function normalized(payload: Record<string, unknown>): NormalizedEvent {
  const result = normalizeDialpadEvent(payload);
  if (!result.ok) throw new Error(`expected a valid event, got: ${result.message}`);
  return result.event;
}

function rejection(payload: Record<string, unknown>): string {
  const result = normalizeDialpadEvent(payload);
  if (result.ok) throw new Error('expected a rejection');
  return result.message;
}

const at = (ms: number): Date => new Date(ms);

describe('eventTypeForState', () => {
  it.each([
    ['calling', 'call.started'],
    ['ringing', 'call.ring'],
    ['connected', 'call.connected'],
    ['hangup', 'call.ended'],
    ['missed', 'call.missed'],
    ['recording', 'call.recording.completed'],
    ['admin_recording', 'call.recording.completed'],
    ['voicemail', 'voicemail.received'],
    ['voicemail_uploaded', 'voicemail.received'],
    ['hold', 'call.hold'],
    ['call_transcription', 'call.transcription'],
    ['transcription', 'call.transcription'],
    ['queued', 'call.queued'],
    ['parked', 'call.parked'],
    ['preanswer', 'call.preanswer'],
    ['blocked', 'call.blocked'],
    ['recap_summary', 'call.recap_summary'],
    ['all', 'call.all'],
    ['constructor', 'call.constructor'],
    ['toString', 'call.toString'],
  ])('maps %p to %p', (state, eventType) => {
    expect(eventTypeForState(state)).toBe(eventType);
  });
});

describe('normalizeDialpadEvent — real Dialpad payloads', () => {
  it('reads the captured unanswered office hangup', () => {
    expect(normalized(fixture('real-hangup-unanswered-office.json'))).toEqual({
      eventType: 'call.ended',
      state: 'hangup',
      dialpadEventId: '6421977457180672:hangup:1731624049994',
      dialpadCallId: '6421977457180672',
      masterCallId: null,
      entryPointCallId: null,
      direction: 'inbound',
      fromNumber: '+15105550100',
      toNumber: '+15105550187',
      dialpadUserId: null,
      startedAt: at(1731624039404),
      queuedAt: null,
      ringingAt: null,
      connectedAt: null,
      endedAt: at(1731624048355),
      eventAt: at(1731624049994),
      durationMs: 0,
      recordingUrl: null,
      voicemailUrl: null,
      voicemailRecordingId: null,
      transcriptionText: null,
      customData: null,
      // "email": "" is unknown; the id, sent as a bare number, is kept as text
      contact: { id: '6131436978913280', name: 'Alameda, CA', email: null, phone: '+15105550100', type: 'local' },
      neverConnected: true,
    });
  });

  it('reads an answered inbound hangup targeted at a user', () => {
    expect(normalized(fixture('inbound-hangup.json'))).toMatchObject({
      eventType: 'call.ended',
      dialpadCallId: '5910447283257344',
      direction: 'inbound',
      fromNumber: '+14155550123',
      toNumber: '+15105550142',
      dialpadUserId: '4785129047965696',
      ringingAt: at(1731700001200),
      connectedAt: at(1731700006500),
      endedAt: at(1731700071500),
      durationMs: 65000,
      neverConnected: false,
    });
  });

  it.each([
    ['inbound-ringing.json', 'call.ring'],
    ['inbound-connected.json', 'call.connected'],
    ['recording.json', 'call.recording.completed'],
    ['outbound-calling.json', 'call.started'],
    ['outbound-hangup-unanswered.json', 'call.ended'],
    ['missed.json', 'call.missed'],
    ['voicemail.json', 'voicemail.received'],
    ['leg-with-master.json', 'call.connected'],
  ])('types %s as %s', (name, eventType) => {
    expect(normalized(fixture(name)).eventType).toBe(eventType);
  });

  it('swaps the sides for an outbound call: our line calls the outside number', () => {
    expect(normalized(fixture('outbound-hangup-unanswered.json'))).toMatchObject({
      direction: 'outbound',
      fromNumber: '+15105550142',
      toNumber: '+14155550177',
      neverConnected: true,
      durationMs: 0,
    });
  });

  it('keeps ids above 2^53 exact and reads the call graph', () => {
    expect(normalized(fixture('leg-with-master.json'))).toMatchObject({
      dialpadCallId: '9007199254740993',
      masterCallId: '6755399441055744',
      entryPointCallId: '6755399441055744',
      dialpadEventId: '9007199254740993:connected:1731709009100',
      ringingAt: at(1731709002000),
      customData: 'crm-lead-4711',
      durationMs: null,
    });
  });

  it('reads the recording URL from recording_details', () => {
    expect(normalized(fixture('recording.json')).recordingUrl).toBe(
      'https://dialpad.com/r/EXAMPLErecording5910447283257344',
    );
  });

  it('also reads recording_url as a string or a list', () => {
    const base = fixture('recording.json');
    expect(normalized({ ...base, recording_url: 'https://x/a' }).recordingUrl).toBe('https://x/a');
    expect(normalized({ ...base, recording_url: ['https://x/b'] }).recordingUrl).toBe('https://x/b');
  });

  it('reads the voicemail link, recording id and transcription', () => {
    expect(normalized(fixture('voicemail.json'))).toMatchObject({
      voicemailUrl: 'https://dialpad.com/v/EXAMPLEvoicemail6302920190263296',
      voicemailRecordingId: '5733953138851840',
      transcriptionText: 'Hi, this is Alex, please call me back about the quote.',
    });
  });

  describe('duration (Dialpad sends milliseconds)', () => {
    const hangup = fixture('inbound-hangup.json');

    it('ignores the running figure of a call that has not ended', () => {
      expect(normalized({ ...fixture('inbound-connected.json'), duration: 1234 }).durationMs).toBeNull();
    });

    it('derives connected → ended when duration is missing', () => {
      expect(normalized({ ...hangup, duration: null }).durationMs).toBe(65000);
    });

    it('rounds fractional milliseconds and ignores nonsense', () => {
      expect(normalized({ ...hangup, duration: 1500.6 }).durationMs).toBe(1501);
      expect(normalized({ ...hangup, duration: -3 }).durationMs).toBe(65000);
      expect(normalized({ ...hangup, duration: 'long' }).durationMs).toBe(65000);
    });
  });

  it('counts a hangup without date_connected as never connected', () => {
    const { date_connected: _ignored, ...withoutKey } = fixture('outbound-hangup-unanswered.json');
    expect(normalized(withoutKey).neverConnected).toBe(true);
  });

  it('falls back to the contact and target phones when the side numbers are missing', () => {
    const payload = { ...fixture('inbound-ringing.json'), external_number: null, internal_number: '' };
    expect(normalized(payload)).toMatchObject({ fromNumber: '+14155550123', toNumber: '+15105550142' });
  });

  it('leaves from/to unknown when the direction is unknown', () => {
    const payload = { ...fixture('inbound-ringing.json'), direction: 'sideways' };
    expect(normalized(payload)).toMatchObject({ direction: null, fromNumber: null, toNumber: null });
  });

  it('takes the user id only from a user target', () => {
    const payload = fixture('inbound-ringing.json');
    expect(normalized({ ...payload, target: { id: 1, type: 'callcenter' } }).dialpadUserId).toBeNull();
    expect(normalized({ ...payload, target: { id: '9007199254740995', type: 'user' } }).dialpadUserId).toBe(
      '9007199254740995',
    );
  });

  it('accepts a state in any case and maps unknown states to call.<state>', () => {
    const payload = fixture('inbound-ringing.json');
    expect(normalized({ ...payload, state: 'RINGING' }).eventType).toBe('call.ring');
    const queued = normalized({ ...payload, state: 'queued' });
    expect(queued).toMatchObject({ eventType: 'call.queued', dialpadEventId: '5910447283257344:queued:1731700001300' });
  });

  it('prefers state over event_type when both are present', () => {
    expect(normalized({ ...fixture('inbound-ringing.json'), event_type: 'call.ended' }).eventType).toBe('call.ring');
  });

  it('keeps custom_data that is not a string as JSON text', () => {
    const payload = fixture('inbound-ringing.json');
    expect(normalized({ ...payload, custom_data: { lead: 7 } }).customData).toBe('{"lead":7}');
    expect(normalized({ ...payload, custom_data: '' }).customData).toBeNull();
  });
});

describe('normalizeDialpadEvent — seed-format payloads', () => {
  const ring = fixture('seed-call-ring.json');

  it('reads the seed document example', () => {
    expect(normalized(ring)).toEqual({
      eventType: 'call.ring',
      state: null,
      dialpadEventId: '123456789:call.ring:2026-01-28T10:30:00Z',
      dialpadCallId: '123456789',
      masterCallId: null,
      entryPointCallId: null,
      direction: 'inbound',
      fromNumber: '+14155550123',
      toNumber: '+15105550142',
      dialpadUserId: '987654',
      startedAt: null,
      queuedAt: null,
      ringingAt: new Date('2026-01-28T10:30:00Z'),
      connectedAt: null,
      endedAt: null,
      eventAt: new Date('2026-01-28T10:30:00Z'),
      durationMs: null,
      recordingUrl: null,
      voicemailUrl: null,
      voicemailRecordingId: null,
      transcriptionText: null,
      customData: null,
      contact: null,
      neverConnected: false,
    });
  });

  it('accepts call_id, from_number/to_number and dialpad_user_id', () => {
    const { dialpad_call_id: _a, from: _b, to: _c, user_id: _d, ...rest } = ring;
    const payload = {
      ...rest,
      call_id: '42',
      from_number: '+14155550100',
      to_number: '+15105550100',
      dialpad_user_id: 7,
    };
    expect(normalized(payload)).toMatchObject({
      dialpadCallId: '42',
      fromNumber: '+14155550100',
      toNumber: '+15105550100',
      dialpadUserId: '7',
    });
  });

  it('uses event_id as the identity when present', () => {
    expect(normalized({ ...ring, event_id: 'evt_01J9' }).dialpadEventId).toBe('evt_01J9');
    expect(normalized({ ...ring, event_id: 77 }).dialpadEventId).toBe('77');
    expect(normalized({ ...ring, event_id: '9007199254740993' }).dialpadEventId).toBe('9007199254740993');
  });

  it('stamps the lifecycle time from the event timestamp', () => {
    const ts = '2026-01-28T10:31:00Z';
    expect(normalized({ ...ring, event_type: 'call.started', timestamp: ts }).startedAt).toEqual(new Date(ts));
    expect(normalized({ ...ring, event_type: 'call.connected', timestamp: ts }).connectedAt).toEqual(new Date(ts));
    expect(normalized({ ...ring, event_type: 'call.ended', timestamp: ts }).endedAt).toEqual(new Date(ts));
  });

  it('reads seed duration as seconds, and duration_ms as milliseconds', () => {
    const ended = { ...ring, event_type: 'call.ended' };
    expect(normalized({ ...ended, duration: 42 }).durationMs).toBe(42000);
    expect(normalized({ ...ended, duration: 1.5 }).durationMs).toBe(1500);
    expect(normalized({ ...ended, duration: 42, duration_ms: 41800 }).durationMs).toBe(41800);
  });

  it('does not guess that a seed call.ended was unanswered unless it says so', () => {
    const ended = { ...ring, event_type: 'call.ended' };
    expect(normalized(ended).neverConnected).toBe(false);
    expect(normalized({ ...ended, date_connected: null }).neverConnected).toBe(true);
  });

  it('reads the seed recording and voicemail URLs', () => {
    expect(normalized({ ...ring, recording_url: 'https://x/r', voicemail_url: 'https://x/v' })).toMatchObject({
      recordingUrl: 'https://x/r',
      voicemailUrl: 'https://x/v',
    });
  });

  it('derives an identity with an empty timestamp part when there is no timestamp', () => {
    const { timestamp: _t, ...payload } = ring;
    expect(normalized(payload)).toMatchObject({
      dialpadEventId: '123456789:call.ring:',
      eventAt: null,
      ringingAt: null,
    });
  });
});

describe('normalizeDialpadEvent — rejections', () => {
  it('names a missing call id', () => {
    expect(rejection({ state: 'ringing' })).toBe('payload has no call_id');
    expect(rejection({ event_type: 'call.ring', call_id: null })).toBe('payload has no call_id');
  });

  const badCallIds = [1.5, -1, '', 'abc', { id: 1 }, [1], true, Number.MAX_SAFE_INTEGER + 2];
  it.each(badCallIds)('rejects the call id %p', (callId) => {
    expect(rejection({ state: 'ringing', call_id: callId })).toMatch(/call_id must be/);
  });

  it('names both state and event_type when neither is present', () => {
    const message = rejection({ call_id: 1 });
    expect(message).toMatch(/state/);
    expect(message).toMatch(/event_type/);
  });

  it.each([
    [{ state: 42 }, /state must be/],
    [{ state: '' }, /state must be/],
    [{ state: 'ring ing' }, /state must be/],
    [{ event_type: 'call..ring' }, /event_type must be/],
    [{ event_type: ['call.ring'] }, /event_type must be/],
    [{ event_type: 'call.ring', event_id: '' }, /event_id must be/],
    [{ event_type: 'call.ring', event_id: { id: 1 } }, /event_id must be/],
    [{ event_type: 'call.ring', event_id: 'x'.repeat(256) }, /event_id must be/],
  ])('rejects %p', (fields, message) => {
    expect(rejection({ call_id: 1, ...fields })).toMatch(message);
  });

  it('rejects something that is not an object without throwing', () => {
    expect(rejection(null as unknown as Record<string, unknown>)).toMatch(/JSON object/);
    expect(rejection([] as unknown as Record<string, unknown>)).toMatch(/JSON object/);
  });
});

describe('normalizeDialpadEvent — properties', () => {
  const knownKeys = [
    'call_id', 'dialpad_call_id', 'state', 'event_type', 'event_id', 'event_timestamp', 'timestamp', 'direction',
    'external_number', 'internal_number', 'from', 'to', 'contact', 'target', 'user_id', 'date_started',
    'date_rang', 'date_first_rang', 'date_connected', 'date_ended', 'duration', 'duration_ms', 'recording_url',
    'recording_details', 'voicemail_link', 'voicemail_url', 'custom_data', 'master_call_id', 'entry_point_call_id',
  ];
  const anyPayload = fc
    .tuple(
      fc.dictionary(fc.constantFrom(...knownKeys), fc.jsonValue()),
      fc.dictionary(fc.string(), fc.jsonValue()),
    )
    .map(([known, other]) => ({ ...other, ...known }));

  it('never throws, and every accepted event has canonical ids', () => {
    fc.assert(
      fc.property(anyPayload, (payload) => {
        const result = normalizeDialpadEvent(payload);
        if (result.ok) {
          expect(result.event.dialpadCallId).toMatch(/^(0|[1-9]\d*)$/);
          expect(result.event.eventType.length).toBeGreaterThan(0);
          expect(result.event.dialpadEventId.length).toBeGreaterThan(0);
        } else {
          expect(result.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('ignores fields it does not know', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string().filter((key) => !knownKeys.includes(key)), fc.jsonValue()), (noise) => {
        const payload = fixture('inbound-hangup.json');
        expect(normalized({ ...noise, ...payload })).toEqual(normalized(payload));
      }),
      { numRuns: 50 },
    );
  });

  it('keeps any integer call id digit for digit', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 96n }), (id) => {
        const payload = parseJsonLossless(`{"call_id":${id},"state":"ringing"}`) as Record<string, unknown>;
        expect(normalized(payload).dialpadCallId).toBe(id.toString());
      }),
    );
  });
});
