import { wellFormed } from './body-parsers.js';

describe('wellFormed', () => {
  it('accepts ordinary and astral text, in values and keys', () => {
    expect(wellFormed({ a: 'ok', 'ü': ['😀', { b: null, c: 1 }] })).toBe(true);
  });

  it.each([['\ud800'], [{ agent_email: 'a\udc00@example.com' }], [{ list: ['x', '\ud83d'] }], [{ ['\ud800']: 1 }]])('refuses a lone surrogate in %o', (value) => {
    expect(wellFormed(value)).toBe(false);
  });
});
