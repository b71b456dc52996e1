import { codeChallengeS256, createCodeVerifier } from './pkce.js';

describe('PKCE (RFC 7636, S256)', () => {
  it('matches the RFC 7636 appendix B test vector', () => {
    expect(codeChallengeS256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('creates 43-character base64url verifiers, a new one each time', () => {
    const a = createCodeVerifier();
    const b = createCodeVerifier();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(codeChallengeS256(a)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(codeChallengeS256(a)).not.toBe(codeChallengeS256(b));
  });

  it('refuses verifiers the RFC does not allow', () => {
    expect(() => codeChallengeS256('short')).toThrow(/43–128/);
    expect(() => codeChallengeS256('x'.repeat(129))).toThrow();
    expect(() => codeChallengeS256(`${'a'.repeat(42)}+`)).toThrow();
  });
});
