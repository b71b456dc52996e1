import { readFileSync } from 'node:fs';
import { CALL_STATE_FIXTURES, loadFixture } from '../../../../test/fixtures/dialpad/index.js';
import { parseJsonLossless } from '../../../common/lossless-json.js';
import { CALL_STATES, callStateOfEventType, callStatesMarkdown, eventTypeForState, isKnownState } from './call-states.js';
import { normalizeDialpadEvent } from './dialpad-event.js';

/**
 * Dialpad's list: the `call_states` enum of CreateCallEventSubscription in Dialpad's OpenAPI
 * document (github.com/dialpad/dialpad-python-sdk, dialpad_api_spec.json).
 */
const DIALPAD_CALL_STATES = [
  'admin', 'admin_recording', 'ai_playbook', 'all', 'barge', 'blocked', 'call_transcription', 'calling', 'connected', 'csat',
  'dispositions', 'eavesdrop', 'hangup', 'hold', 'merged', 'missed', 'monitor', 'parked', 'pcsat', 'postcall', 'preanswer',
  'queued', 'recap_action_items', 'recap_outcome', 'recap_purposes', 'recap_summary', 'recording', 'ringing', 'takeover',
  'transcription', 'voicemail', 'voicemail_uploaded',
];

describe('the table of Dialpad call states', () => {
  it('answers every state in Dialpad’s list, once, and nothing else', () => {
    expect(CALL_STATES.map((row) => row.state)).toEqual(DIALPAD_CALL_STATES);
  });

  it('gives the same effect to states that share an event type', () => {
    for (const row of CALL_STATES) {
      if (row.eventType === null) continue;
      const shared = callStateOfEventType(row.eventType);
      expect({ state: row.state, status: shared?.status, position: shared?.position, voicemail: shared?.voicemail }).toEqual({
        state: row.state,
        status: row.status,
        position: row.position,
        voicemail: row.voicemail,
      });
    }
  });

  it('sends every known state’s event type; `all` and other words are unknown states', () => {
    for (const row of CALL_STATES) expect(eventTypeForState(row.state)).toBe(row.eventType ?? `call.${row.state}`);
    expect(isKnownState('all')).toBe(false);
    expect(isKnownState('hold')).toBe(true);
    expect(isKnownState('teleport')).toBe(false);
    expect(eventTypeForState('teleport')).toBe('call.teleport');
    expect(callStateOfEventType('call.teleport')).toBeUndefined();
  });

  it('is the table of docs/wire-protocol.md, "Dialpad call states", row for row', () => {
    const doc = readFileSync(new URL('../../../../docs/wire-protocol.md', import.meta.url), 'utf8');
    const section = doc.split('\n### Dialpad call states\n')[1] ?? '';
    const lines = section.split('\n');
    const from = lines.findIndex((line) => line.startsWith('|'));
    const firstTable: string[] = [];
    for (const line of from < 0 ? [] : lines.slice(from)) {
      if (!line.startsWith('|')) break;
      firstTable.push(line);
    }
    expect(firstTable.join('\n')).toBe(callStatesMarkdown());
  });

  it.each(Object.entries(CALL_STATE_FIXTURES))('the %s fixture is a %s event of that state', (state, fixture) => {
    const result = normalizeDialpadEvent(parseJsonLossless(loadFixture(fixture)) as Record<string, unknown>);
    if (!result.ok) throw new Error(result.message);
    expect(result.event).toMatchObject({ state, eventType: eventTypeForState(state) });
  });

  it('has a fixture for every state Dialpad sends', () => {
    expect(Object.keys(CALL_STATE_FIXTURES).sort()).toEqual(DIALPAD_CALL_STATES.filter((s) => s !== 'all'));
  });
});
