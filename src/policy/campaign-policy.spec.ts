import { DEFAULT_CAMPAIGN_POLICY, resolvePolicy } from './campaign-policy.js';
import { validatePolicyOverrides } from './dto/campaign-policy.dto.js';

describe('campaign policy defaults (SPEC §9)', () => {
  it('window 08:00-21:00 on, VM 180 min, NO_ANSWER 60 min, 6 attempts, no per-number cap, US, New York', () => {
    expect(DEFAULT_CAMPAIGN_POLICY).toEqual({
      callingWindow: { enabled: true, start: '08:00', end: '21:00' },
      retry: { enabled: true, delayMinutes: { VM_SAME_NAME: 180, VM_OR_NA_UNKNOWN: 180, NO_ANSWER: 60 } },
      maxAttempts: 6,
      maxAttemptsPerNumberPer24h: null,
      maxAttemptsPerNumberPer7d: null,
      maxAttemptsPerLeadPer24h: null,
      maxAttemptsPerLeadPer7d: null,
      defaultRegion: 'US',
      defaultTimezone: 'America/New_York',
    });
    expect(Object.isFrozen(DEFAULT_CAMPAIGN_POLICY.retry.delayMinutes)).toBe(true);
  });

  it('resolvePolicy lays overrides over the defaults, field by field', () => {
    expect(resolvePolicy({ callingWindow: { start: '09:00' }, retry: { delayMinutes: { NO_ANSWER: 30 } }, maxAttemptsPerNumberPer24h: 3 })).toEqual({
      ...DEFAULT_CAMPAIGN_POLICY,
      callingWindow: { enabled: true, start: '09:00', end: '21:00' },
      retry: { enabled: true, delayMinutes: { VM_SAME_NAME: 180, VM_OR_NA_UNKNOWN: 180, NO_ANSWER: 30 } },
      maxAttemptsPerNumberPer24h: 3,
    });
    expect(resolvePolicy()).toEqual(DEFAULT_CAMPAIGN_POLICY);
    expect(resolvePolicy({ callingWindow: { start: undefined } }).callingWindow.start).toBe('08:00');
  });
});

describe('validatePolicyOverrides', () => {
  it.each([
    [undefined, {}],
    [{}, {}],
    [{ maxAttempts: 3, defaultRegion: 'GB', defaultTimezone: 'Europe/London' }, { maxAttempts: 3, defaultRegion: 'GB', defaultTimezone: 'Europe/London' }],
    [{ callingWindow: { enabled: false } }, { callingWindow: { enabled: false } }],
    [{ retry: { delayMinutes: { NO_ANSWER: 0 } } }, { retry: { delayMinutes: { NO_ANSWER: 0 } } }],
    [{ maxAttemptsPerNumberPer24h: null }, { maxAttemptsPerNumberPer24h: null }],
  ])('accepts %j', (input, value) => {
    const result = validatePolicyOverrides(input);
    expect(result).toEqual({ ok: true, value });
  });

  it.each([
    [{ maxAttempts: 0 }, 'maxAttempts must not be less than 1'],
    [{ maxAttempts: 2.5 }, 'maxAttempts must be an integer number'],
    [{ callingWindow: { start: '8am' } }, 'callingWindow.start must be HH:mm'],
    [{ callingWindow: { start: '22:00' } }, 'callingWindow.start (22:00) must be before callingWindow.end (21:00)'],
    [{ retry: { delayMinutes: { NO_ANSWER: -1 } } }, 'retry.delayMinutes.NO_ANSWER must not be less than 0'],
    [{ retry: { delayMinutes: { BUSY: 5 } } }, 'retry.delayMinutes.BUSY: property BUSY should not exist'],
    [{ defaultRegion: 'XX' }, 'defaultRegion must be an ISO 3166 alpha-2 region code such as US'],
    [{ defaultTimezone: 'Mars/Olympus' }, 'defaultTimezone must be an IANA time zone such as America/New_York'],
    [{ colour: 'red' }, 'colour: property colour should not exist'],
    ['fast', 'policy must be an object'],
  ])('refuses %j naming the problem', (input, message) => {
    const result = validatePolicyOverrides(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors).toContain(message);
  });
});
