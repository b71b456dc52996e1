import type { FakeCall, FakeUser } from './fake-dialpad.js';

/**
 * A call event with the field set and value types of test/fixtures/dialpad/*.json:
 * ids as bare JSON numbers (call_id above 2^53), epoch-millisecond dates.
 * `call.phone_number` is the other party: the called number (outbound) or the
 * caller (inbound); `internal_number` is the user's.
 */
export function callEventJson(call: FakeCall, user: FakeUser, state: string, startedMs: number, eventMs: number, connected: number | null): string {
  const step = ['calling', 'ringing', 'connected', 'hangup'].indexOf(state);
  const rang = step >= 1 ? (call.rang_at ?? startedMs + 1000) : null;
  const ended = state === 'hangup' ? eventMs : null;
  const duration = ended === null ? null : connected === null ? 0 : ended - connected;
  const event = {
    call_id: big(call.call_id),
    call_recording_ids: [],
    callback_requested: null,
    company_call_review_share_link: `https://dialpad.com/shared/call/FAKE${call.call_id}`,
    contact: { email: '', id: big('6131436978913282'), name: call.contact_name ?? 'Fake Contact', phone: call.phone_number, type: 'local' },
    csat_score: null,
    custom_data: call.custom_data,
    date_connected: connected,
    date_ended: ended,
    date_first_rang: rang,
    date_queued: null,
    date_rang: rang,
    date_started: startedMs,
    direction: call.direction ?? 'outbound',
    duration,
    entry_point_call_id: null,
    entry_point_target: {},
    event_timestamp: eventMs,
    external_number: call.phone_number,
    group_id: null,
    hold_time: step >= 2 ? 0 : null,
    internal_number: user.phone_numbers[0] ?? null,
    is_transferred: false,
    labels: [],
    master_call_id: null,
    mos_score: null,
    operator_call_id: null,
    proxy_target: {},
    public_call_review_share_link: `https://dialpad.com/shared/call/FAKEPUBLIC${call.call_id}`,
    recording_details: [],
    routing_breadcrumbs: [],
    state,
    talk_time: duration,
    target: {
      email: user.emails[0] ?? '',
      id: big(user.id),
      name: `${user.first_name} ${user.last_name}`,
      office_id: big('5527348325810176'),
      phone: user.phone_numbers[0] ?? null,
      type: 'user',
    },
    target_availability_status: 'open',
    total_duration: ended === null ? null : ended - startedMs + 0.5,
    transcription_text: null,
    voicemail_link: null,
    voicemail_recording_id: null,
    was_recorded: false,
  };
  return JSON.stringify(event, (_k, v: unknown) => (typeof v === 'bigint' ? `__bigint__${v}` : v)).replace(/"__bigint__(\d+)"/g, '$1');
}

function big(id: string): bigint {
  return BigInt(id);
}
