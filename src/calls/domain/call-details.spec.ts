import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { CALL_STATE_FIXTURES, loadFixture } from '../../../test/fixtures/dialpad/index.js';
import { parseJsonLossless } from '../../common/lossless-json.js';
import { type CallInsightsEvidence, hasInsights, readCallInsights } from '../../integrations/dialpad/wire/call-insights.js';
import { eventTypeForState } from '../../integrations/dialpad/wire/call-states.js';
import { type CallDetails, detailsFromJson, detailsToJson, foldCallDetails, newestCallRecordingUrl, visibleRecordings } from './call-details.js';

const NONE: CallInsightsEvidence = {
  recordings: [],
  transcript: null,
  recap: { summary: null, outcome: null, purposes: null, actionItems: null },
  csatScore: null,
  csatTranscriptions: [],
  csatRecordingUrls: [],
  predictedCsatScore: null,
  labels: [],
  dispositions: [],
  talkTimeMs: null,
  holdTimeMs: null,
};

const rec = (id: string, type: string, url: string, startedAt: number, durationMs: number | null = 1000) => ({
  id,
  type,
  url,
  durationMs,
  startedAt: new Date(startedAt),
});

/** Events of one call, with Dialpad's event time. */
const EVENTS: { e: CallInsightsEvidence; at: Date | null }[] = [
  { e: { ...NONE, recordings: [rec('1', 'callrecording', 'https://r/1', 1000)], talkTimeMs: 60_000 }, at: new Date(5000) },
  { e: { ...NONE, recordings: [rec('2', 'callrecording', 'https://r/2', 2000, null)] }, at: new Date(6000) },
  { e: { ...NONE, recordings: [rec('2', 'callrecording', 'https://r/2', 2000, 4000)] }, at: new Date(6500) },
  { e: { ...NONE, recordings: [rec('3', 'admincallrecording', 'https://r/admin', 900)] }, at: new Date(7000) },
  { e: { ...NONE, transcript: 'first draft', talkTimeMs: 65_000, holdTimeMs: 3000 }, at: new Date(8000) },
  { e: { ...NONE, transcript: 'final transcript' }, at: new Date(9000) },
  { e: { ...NONE, transcript: 'no time: the oldest' }, at: null },
  { e: { ...NONE, labels: ['Quote sent'], dispositions: ['Quote sent'] }, at: new Date(9500) },
  { e: { ...NONE, labels: ['VIP'] }, at: new Date(9600) },
  { e: { ...NONE, csatScore: '5', csatTranscriptions: ['great'] }, at: new Date(10_000) },
  { e: { ...NONE, predictedCsatScore: '4' }, at: new Date(10_001) },
  { e: { ...NONE, recap: { summary: 'Asked about the quote', outcome: null, purposes: null, actionItems: null } }, at: new Date(11_000) },
  { e: { ...NONE, recap: { summary: null, outcome: 'Quote accepted', purposes: ['Sales'], actionItems: ['Send contract', 'Call Friday'] } }, at: new Date(11_001) },
];

function run(events: readonly { e: CallInsightsEvidence; at: Date | null }[]): { details: CallDetails | null; changes: number } {
  let details: CallDetails | null = null;
  let changes = 0;
  for (const { e, at } of events) {
    const r = foldCallDetails(details, e, at);
    details = r.details;
    if (r.changed) changes++;
  }
  return { details, changes };
}

describe('call details fold', () => {
  it('keeps every recording, the newest transcript, CSAT, labels, dispositions, recap and the largest times', () => {
    const { details } = run(EVENTS);
    expect(details).toMatchObject({
      transcript: { value: 'final transcript', at: 9000 },
      csatScore: { value: '5' },
      predictedCsatScore: { value: '4' },
      csatTranscriptions: ['great'],
      labels: ['Quote sent', 'VIP'],
      dispositions: ['Quote sent'],
      recapSummary: { value: 'Asked about the quote' },
      recapOutcome: { value: 'Quote accepted' },
      recapPurposes: { value: ['Sales'] },
      recapActionItems: { value: ['Send contract', 'Call Friday'] },
      talkTimeMs: 65_000,
      holdTimeMs: 3000,
    });
    // oldest first; the same recording twice is one, with the longest duration
    expect(details!.recordings.map((r) => [r.id, r.type, r.durationMs])).toEqual([
      ['3', 'admincallrecording', 1000],
      ['1', 'callrecording', 1000],
      ['2', 'callrecording', 4000],
    ]);
  });

  it('recording_url is the newest call recording, never an admin recording or a voicemail', () => {
    const { details } = run(EVENTS);
    expect(newestCallRecordingUrl(details!)).toBe('https://r/2');
    const adminOnly = run([EVENTS[3]!, { e: { ...NONE, recordings: [rec('9', 'voicemail', 'https://v/9', 99_999)] }, at: null }]).details!;
    expect(newestCallRecordingUrl(adminOnly)).toBeNull();
    expect(visibleRecordings(adminOnly, false).map((r) => r.type)).toEqual(['voicemail']);
    expect(visibleRecordings(adminOnly, true).map((r) => r.type)).toEqual(['admincallrecording', 'voicemail']);
  });

  it('any order and any repetition give the same details; a repeat changes nothing', () => {
    const expected = run(EVENTS).details;
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...EVENTS), { maxLength: 8 }), fc.integer(), (extra, seed) => {
        const events = [...extra, ...EVENTS];
        const shuffled = fc.sample(fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }), { numRuns: 1, seed })[0]!;
        const { details } = run(shuffled);
        expect(detailsToJson(details!)).toEqual(detailsToJson(expected!));
      }),
    );
    for (const { e, at } of EVENTS) expect(foldCallDetails(expected, e, at).changed).toBe(false);
  });

  it('survives its stored form (jsonb) unchanged, and reads a malformed one as empty', () => {
    const { details } = run(EVENTS);
    const stored = JSON.parse(JSON.stringify(detailsToJson(details!))) as unknown;
    expect(detailsFromJson(stored)).toEqual(details);
    expect(detailsToJson(detailsFromJson({ recordings: 'x', transcript: { value: 5 }, labels: [1, 'a'] }))).toMatchObject({
      recordings: [],
      transcript: null,
      labels: ['a'],
    });
  });
});

describe('readCallInsights (the Dialpad fixtures)', () => {
  const read = (state: keyof typeof CALL_STATE_FIXTURES) => {
    const payload = parseJsonLossless(loadFixture(CALL_STATE_FIXTURES[state])) as Record<string, unknown>;
    return readCallInsights(payload, eventTypeForState(state), state === 'voicemail' || state === 'voicemail_uploaded');
  };

  it('reads each after-call state', () => {
    expect(read('recording').recordings).toEqual([
      { id: '5162289226285056', type: 'callrecording', url: 'https://dialpad.com/r/EXAMPLErecording5910447283257344', durationMs: 64200, startedAt: new Date(1731700007300) },
    ]);
    expect(read('admin_recording').recordings[0]).toMatchObject({ type: 'admincallrecording' });
    expect(read('transcription').transcript).toMatch(/^River: Thanks for calling Example Legal/);
    expect(read('call_transcription').transcript).toMatch(/^River: Thanks for calling/);
    expect(read('csat')).toMatchObject({ csatScore: '5', predictedCsatScore: null });
    expect(read('pcsat')).toMatchObject({ csatScore: null, predictedCsatScore: '4' });
    expect(read('dispositions')).toMatchObject({ labels: ['Quote sent'], dispositions: ['Quote sent'] });
    expect(read('postcall')).toMatchObject({ talkTimeMs: 180_000, holdTimeMs: null });
  });

  it('a voicemail’s transcription is the voicemail’s, not the call’s', () => {
    expect(read('voicemail_uploaded').transcript).toBeNull();
  });

  it('live events before the call has any time say nothing (no write)', () => {
    expect(hasInsights(read('ringing'))).toBe(false);
    expect(hasInsights(read('calling'))).toBe(false);
  });

  it('reads recaps by the state’s name or inside `recap`, texts or objects; bad shapes are skipped, never thrown', () => {
    const at = (extra: Record<string, unknown>) => readCallInsights({ state: 'recap_summary', ...extra }, 'call.recap_summary', false);
    expect(at({ recap_summary: '  Asked about the quote ' }).recap.summary).toBe('Asked about the quote');
    expect(at({ recap: { outcome: 'Won', action_items: [{ text: 'Send contract' }, 'Call Friday', 7, null] } }).recap).toEqual({
      summary: null,
      outcome: 'Won',
      purposes: null,
      actionItems: ['Send contract', 'Call Friday'],
    });
    const junk = at({ recording_details: ['x', null, { duration: -5 }], labels: { a: 1 }, csat_score: { x: 1 }, talk_time: 'long', recap: [] });
    expect(junk).toMatchObject({ recordings: [], labels: [], csatScore: null, talkTimeMs: null, recap: { summary: null } });
    expect(readCallInsights({ csat_score: 4 }, 'call.csat', false).csatScore).toBe('4');
  });
});
