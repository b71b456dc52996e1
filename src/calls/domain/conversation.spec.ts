import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { conversationIdOf, conversationOutcome, isLeg, type LegFacts, legStatus, orderLegs } from './conversation.js';

const at = (ms: number) => new Date(ms);
const leg = (over: Partial<LegFacts>): LegFacts => ({
  dialpadCallId: '1',
  status: 'ringing',
  dialpadUserId: null,
  startedAt: null,
  ringingAt: null,
  connectedAt: null,
  createdAt: at(1),
  ...over,
});

describe('conversations', () => {
  it('a call names its conversation: entry point, else master, else itself', () => {
    expect(conversationIdOf('3', '2', '1')).toBe('1');
    expect(conversationIdOf('3', '2', null)).toBe('2');
    expect(conversationIdOf('3', null, null)).toBe('3');
    expect(isLeg('1', null, '1')).toBe(false);
    expect(isLeg('3', '1', null)).toBe(true);
  });

  it('a leg’s miss is unanswered; a lone call’s stays missed', () => {
    expect(legStatus('missed', '3', '1', '1')).toBe('unanswered');
    expect(legStatus('missed', '1', null, null)).toBe('missed');
    expect(legStatus('ended', '3', '1', '1')).toBe('ended');
  });

  it('outcome: answered by the first user leg to connect, else voicemail, in progress, blocked, missed', () => {
    const entry = leg({ dialpadCallId: '10', status: 'unanswered' });
    const a = leg({ dialpadCallId: '11', status: 'ended', dialpadUserId: 'u1', connectedAt: at(50) });
    const b = leg({ dialpadCallId: '12', status: 'ended', dialpadUserId: 'u2', connectedAt: at(90) });
    const office = leg({ dialpadCallId: '13', status: 'ended', connectedAt: at(40) });
    expect(conversationOutcome([entry, b, a, office], false)).toEqual({ outcome: 'answered', answeredBy: a });
    expect(conversationOutcome([entry], true).outcome).toBe('voicemail');
    expect(conversationOutcome([entry, leg({ dialpadCallId: '14', status: 'ringing' })], false).outcome).toBe('in_progress');
    expect(conversationOutcome([entry, leg({ dialpadCallId: '14', status: 'blocked' })], false).outcome).toBe('blocked');
    expect(conversationOutcome([entry, leg({ dialpadCallId: '14', status: 'unanswered' })], false).outcome).toBe('missed');
  });

  it('any order of the legs gives the same order and the same outcome', () => {
    const legArb = fc.record({
      dialpadCallId: fc.integer({ min: 1, max: 40 }).map(String),
      status: fc.constantFrom('ringing' as const, 'ended' as const, 'unanswered' as const, 'missed' as const, 'voicemail' as const),
      dialpadUserId: fc.option(fc.constantFrom('u1', 'u2'), { nil: null }),
      startedAt: fc.option(fc.integer({ min: 1, max: 5 }).map(at), { nil: null }),
      ringingAt: fc.constant(null),
      connectedAt: fc.option(fc.integer({ min: 1, max: 5 }).map(at), { nil: null }),
      createdAt: fc.constant(at(9)),
    });
    const unique = fc.uniqueArray(legArb, { selector: (l) => l.dialpadCallId, minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(unique, fc.boolean(), fc.func(fc.integer()), (legs, vm, rank) => {
        const shuffled = [...legs].sort((x, y) => rank(x.dialpadCallId) - rank(y.dialpadCallId));
        expect(orderLegs(shuffled)).toEqual(orderLegs(legs));
        expect(conversationOutcome(shuffled, vm)).toEqual(conversationOutcome(legs, vm));
      }),
    );
  });
});
