import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { foldVoicemail, type VoicemailEvidence, type VoicemailState } from './voicemail-fold.js';

const greeting: VoicemailEvidence = { facts: null, eventAt: new Date(100), dialpadUserId: 'u', fromNumber: '+14155550188', toNumber: '+15105550142' };
const uploaded: VoicemailEvidence = {
  ...greeting,
  eventAt: new Date(200),
  facts: { url: 'https://dialpad.com/v/x', recordingId: '57', durationMs: null, transcription: 'call me back' },
};
const recording: VoicemailEvidence = { ...greeting, eventAt: new Date(300), facts: { url: null, recordingId: '57', durationMs: 21400, transcription: null } };

function run(events: readonly VoicemailEvidence[]): { state: VoicemailState | null; received: number } {
  let state: VoicemailState | null = null;
  let received = 0;
  for (const e of events) {
    const r = foldVoicemail(state, e);
    state = r.state;
    if (r.change === 'received') received++;
  }
  return { state, received };
}

describe('foldVoicemail', () => {
  it('a greeting alone makes no voicemail', () => {
    expect(run([greeting, greeting])).toEqual({ state: null, received: 0 });
  });

  it('the event that brings the message creates it; a later one updates it; a repeat changes nothing', () => {
    expect(foldVoicemail(null, uploaded).change).toBe('received');
    const { state } = foldVoicemail(null, uploaded);
    expect(foldVoicemail(state, recording)).toMatchObject({ change: 'updated', state: { durationMs: 21400, voicemailUrl: 'https://dialpad.com/v/x' } });
    expect(foldVoicemail(state, uploaded).change).toBeNull();
  });

  it('any order and any repetition: the same voicemail, received exactly once', () => {
    const all = [greeting, uploaded, recording];
    const expected = run(all);
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...all), { minLength: 1, maxLength: 10 }), (extra) => {
        const events = [...extra, ...all];
        const shuffled = fc.sample(fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }), 1)[0]!;
        expect(run(shuffled)).toEqual(expected);
      }),
    );
    expect(expected.received).toBe(1);
  });
});
