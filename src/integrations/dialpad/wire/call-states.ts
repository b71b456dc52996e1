/**
 * Every Dialpad call state, and what the service makes of it: ONE table, the same as
 * docs/wire-protocol.md, "Dialpad call states" (call-states.spec.ts checks that the two
 * agree, row for row).
 *
 * The list of states is the `call_states` enum of Dialpad's call event subscription in
 * Dialpad's published OpenAPI document (dialpad/dialpad-python-sdk, dialpad_api_spec.json,
 * schemas.call_event_subscription.CreateCallEventSubscription). Dialpad's developer docs
 * (developers.dialpad.com/docs/call-events) describe the payload but say little about
 * what most states mean; where they are silent the row's note says so, and the reading
 * chosen is the one that loses no data: the event is always stored as sent
 * (webhook_events), the call only gains what the event states, and a status is never
 * inferred from a state whose meaning is not documented.
 *
 * Pure data: no Nest, no I/O.
 */

/**
 * What an event says about the call's status, on its own (the state machine joins the
 * evidence of all of a call's events: src/calls/domain/call-state.ts).
 * `hangup`: `ended`, or `missed` when the event says the call never connected.
 * null: no status of its own (the dates the payload carries still count).
 */
export type StatusEvidence = 'initiated' | 'queued' | 'ringing' | 'connected' | 'hangup' | 'missed' | 'blocked' | 'voicemail' | null;

/**
 * Where a connected call is: talking, on hold or parked. Not monotone (hold ↔ connected),
 * so it is a register: the event with the latest Dialpad `event_timestamp` among those that
 * set it decides (ties: parked over on_hold over connected), which keeps the fold order-free.
 */
export type CallPosition = 'connected' | 'on_hold' | 'parked';

export interface CallStateRow {
  /** Dialpad's `state` word */
  state: string;
  /** our event type (`webhook_events.event_type`, the WebSocket message's `event`); null: never sent, read as an unknown state */
  eventType: string | null;
  status: StatusEvidence;
  position: CallPosition | null;
  /** the voicemail row is written too */
  voicemail?: true;
  /** what the event adds to the call besides the fields every event fills in */
  adds: string;
  /** the WebSocket message sent, or why none */
  message: string;
}

export const EventTypes = {
  started: 'call.started',
  preanswer: 'call.preanswer',
  queued: 'call.queued',
  ring: 'call.ring',
  connected: 'call.connected',
  hold: 'call.hold',
  parked: 'call.parked',
  merged: 'call.merged',
  takeover: 'call.takeover',
  barge: 'call.barge',
  eavesdrop: 'call.eavesdrop',
  monitor: 'call.monitor',
  ended: 'call.ended',
  missed: 'call.missed',
  blocked: 'call.blocked',
  voicemail: 'voicemail.received',
  recording: 'call.recording.completed',
  transcription: 'call.transcription',
  csat: 'call.csat',
  pcsat: 'call.pcsat',
  postcall: 'call.postcall',
  dispositions: 'call.dispositions',
  recapSummary: 'call.recap_summary',
  recapOutcome: 'call.recap_outcome',
  recapPurposes: 'call.recap_purposes',
  recapActionItems: 'call.recap_action_items',
  aiPlaybook: 'call.ai_playbook',
  admin: 'call.admin',
} as const;

const LATER = 'kept in the event log (a later milestone reads it)';
const SUPERVISOR =
  'a supervisor joins a live call, so the call is connected; it does not end a hold (Dialpad does not say it does); the supervisor is in the stored payload';

/** In Dialpad's order (alphabetical in its enum), plus the wildcard `all`. */
export const CALL_STATES: readonly CallStateRow[] = [
  { state: 'admin', eventType: EventTypes.admin, status: null, position: null, adds: `nothing: Dialpad does not document this state; ${LATER}`, message: '`call.admin`' },
  { state: 'admin_recording', eventType: EventTypes.recording, status: null, position: null, adds: '`recording_url` (from `recording_details`)', message: '`call.recording.completed` with `recording_url`' },
  { state: 'ai_playbook', eventType: EventTypes.aiPlaybook, status: null, position: null, adds: `nothing; ${LATER}`, message: '`call.ai_playbook`' },
  {
    state: 'all',
    eventType: null,
    status: null,
    position: null,
    adds: 'the subscription wildcard, not a state: never sent; if it ever arrives it is an unknown state',
    message: 'none (unknown state)',
  },
  { state: 'barge', eventType: EventTypes.barge, status: 'connected', position: null, adds: `nothing: ${SUPERVISOR}`, message: '`call.barge`' },
  { state: 'blocked', eventType: EventTypes.blocked, status: 'blocked', position: null, adds: 'the end (`date_ended`)', message: '`call.blocked`' },
  { state: 'call_transcription', eventType: EventTypes.transcription, status: null, position: null, adds: `nothing; the text is ${LATER}`, message: '`call.transcription`' },
  { state: 'calling', eventType: EventTypes.started, status: 'initiated', position: null, adds: '`started_at` (`date_started`, else the event time)', message: '`call.started`' },
  { state: 'connected', eventType: EventTypes.connected, status: 'connected', position: 'connected', adds: '`connected_at` (`date_connected`, else the event time); ends a hold or a park', message: '`call.connected`' },
  { state: 'csat', eventType: EventTypes.csat, status: null, position: null, adds: `nothing; the survey answer is ${LATER}`, message: '`call.csat`' },
  { state: 'dispositions', eventType: EventTypes.dispositions, status: null, position: null, adds: `nothing; ${LATER}`, message: '`call.dispositions`' },
  { state: 'eavesdrop', eventType: EventTypes.eavesdrop, status: 'connected', position: null, adds: `nothing: ${SUPERVISOR}`, message: '`call.eavesdrop`' },
  { state: 'hangup', eventType: EventTypes.ended, status: 'hangup', position: null, adds: '`ended_at`, `duration_ms`', message: '`call.ended`' },
  { state: 'hold', eventType: EventTypes.hold, status: 'connected', position: 'on_hold', adds: 'nothing else (Dialpad has no unhold state: the next `connected` ends the hold)', message: '`call.hold`' },
  { state: 'merged', eventType: EventTypes.merged, status: 'connected', position: 'connected', adds: 'nothing: the call joined another (a conference); it is live, so a hold or park ends', message: '`call.merged`' },
  { state: 'missed', eventType: EventTypes.missed, status: 'missed', position: null, adds: 'nothing else', message: '`call.missed`' },
  { state: 'monitor', eventType: EventTypes.monitor, status: 'connected', position: null, adds: `nothing: ${SUPERVISOR}`, message: '`call.monitor`' },
  { state: 'parked', eventType: EventTypes.parked, status: 'connected', position: 'parked', adds: 'nothing else (the next `connected` ends the park)', message: '`call.parked`' },
  { state: 'pcsat', eventType: EventTypes.pcsat, status: null, position: null, adds: `nothing; ${LATER}`, message: '`call.pcsat`' },
  { state: 'postcall', eventType: EventTypes.postcall, status: null, position: null, adds: `nothing of its own (its dates count); ${LATER}`, message: '`call.postcall`' },
  {
    state: 'preanswer',
    eventType: EventTypes.preanswer,
    status: 'initiated',
    position: null,
    adds: '`started_at`; Dialpad does not say more than "before the answer", so no status beyond `initiated`',
    message: '`call.preanswer`',
  },
  { state: 'queued', eventType: EventTypes.queued, status: 'queued', position: null, adds: '`queued_at` (`date_queued`, else the event time)', message: '`call.queued`' },
  { state: 'recap_action_items', eventType: EventTypes.recapActionItems, status: null, position: null, adds: `nothing; ${LATER}`, message: '`call.recap_action_items`' },
  { state: 'recap_outcome', eventType: EventTypes.recapOutcome, status: null, position: null, adds: `nothing; ${LATER}`, message: '`call.recap_outcome`' },
  { state: 'recap_purposes', eventType: EventTypes.recapPurposes, status: null, position: null, adds: `nothing; ${LATER}`, message: '`call.recap_purposes`' },
  { state: 'recap_summary', eventType: EventTypes.recapSummary, status: null, position: null, adds: `nothing; ${LATER}`, message: '`call.recap_summary`' },
  { state: 'recording', eventType: EventTypes.recording, status: null, position: null, adds: '`recording_url` (from `recording_details` or `recording_url`)', message: '`call.recording.completed` with `recording_url`' },
  { state: 'ringing', eventType: EventTypes.ring, status: 'ringing', position: null, adds: '`ringing_at` (`date_first_rang`, `date_rang`, else the event time)', message: '`call.ring`' },
  { state: 'takeover', eventType: EventTypes.takeover, status: 'connected', position: null, adds: `nothing: ${SUPERVISOR}`, message: '`call.takeover`' },
  { state: 'transcription', eventType: EventTypes.transcription, status: null, position: null, adds: `nothing; the text is ${LATER}`, message: '`call.transcription`' },
  {
    state: 'voicemail',
    eventType: EventTypes.voicemail,
    status: 'voicemail',
    position: null,
    voicemail: true,
    adds: 'the voicemail row (link, recording id, transcription when sent)',
    message: '`voicemail.received` with `voicemail_url` when sent',
  },
  {
    state: 'voicemail_uploaded',
    eventType: EventTypes.voicemail,
    status: 'voicemail',
    position: null,
    voicemail: true,
    adds: 'the voicemail row (link, recording id, transcription)',
    message: '`voicemail.received` with `voicemail_url`',
  },
];

const BY_STATE: ReadonlyMap<string, CallStateRow> = new Map(CALL_STATES.map((row) => [row.state, row]));
const BY_EVENT_TYPE: ReadonlyMap<string, CallStateRow> = new Map(
  CALL_STATES.filter((row) => row.eventType !== null).map((row) => [row.eventType as string, row]),
);

/** Dialpad `state` → our event type. A state not in the table (or `all`) becomes `call.<state>`: an unknown state. */
export function eventTypeForState(state: string): string {
  return BY_STATE.get(state)?.eventType ?? `call.${state}`;
}

/** The row of an event type (several states may share one, with the same effect); undefined: an unknown type. */
export function callStateOfEventType(eventType: string): CallStateRow | undefined {
  return BY_EVENT_TYPE.get(eventType);
}

/** True for a Dialpad state the table answers (not `all`, not a future state). */
export function isKnownState(state: string): boolean {
  return BY_STATE.get(state)?.eventType != null;
}

function statusText(row: CallStateRow): string {
  if (row.eventType === null) return '—';
  if (row.position === 'on_hold' || row.position === 'parked') return `\`${row.position}\` (a connected call)`;
  if (row.status === null) return '— (none of its own)';
  if (row.status === 'hangup') return '`ended`, or `missed` if it never connected';
  return `\`${row.status}\``;
}

/** The table as it stands in docs/wire-protocol.md, "Dialpad call states". */
export function callStatesMarkdown(): string {
  const lines = [
    '| Dialpad `state` | event type | call status | adds to the call | WebSocket message |',
    '|---|---|---|---|---|',
    ...CALL_STATES.map((row) =>
      [`\`${row.state}\``, row.eventType === null ? '—' : `\`${row.eventType}\``, statusText(row), row.adds, row.message].join(' | '),
    ).map((line) => `| ${line} |`),
    '| any other word | `call.<state>` | — | nothing: stored, marked processed, counted in `cti_dialpad_unknown_states_total{state}`; never an error | none |',
  ];
  return lines.join('\n');
}
