import fc from 'fast-check';
import {
  firstPresent,
  own,
  readDate,
  readDirection,
  readFirstUrl,
  readId,
  readOptionalId,
  readPhone,
  readText,
} from './payload-readers.js';

describe('payload readers', () => {
  describe('readId', () => {
    it.each([
      [6421977457180672, '6421977457180672'],
      ['9007199254740993', '9007199254740993'],
      [' 42 ', '42'],
      ['007', '7'],
      [0, '0'],
      [null, null],
      [undefined, null],
    ])('reads %p as %p', (input, expected) => {
      expect(readId(input)).toBe(expected);
    });

    it.each([1.5, -1, Number.MAX_SAFE_INTEGER + 1, Infinity, '', 'abc', '12a', '-5', '1e5', true, {}, []])(
      'calls %p invalid',
      (input) => {
        expect(readId(input)).toBe('invalid');
        expect(readOptionalId(input)).toBeNull();
      },
    );
  });

  describe('readDate', () => {
    const at = new Date('2024-11-14T22:40:39.404Z');

    it.each([
      ['epoch milliseconds', 1731624039404],
      ['epoch milliseconds as text', '1731624039404'],
      ['epoch seconds', 1731624039.404],
      ['ISO with Z', '2024-11-14T22:40:39.404Z'],
      ['ISO with an offset', '2024-11-15T00:40:39.404+02:00'],
    ])('reads %s', (_label, input) => {
      expect(readDate(input)).toEqual(at);
    });

    const unreadable = [null, undefined, 0, -5, NaN, Infinity, 1e20, '', 'yesterday', '2024-11-14T22:40:39', {}];
    it.each([...unreadable, '2024-13-45T99:00Z'])(
      'gives null for %p',
      (input) => {
        expect(readDate(input)).toBeNull();
      },
    );
  });

  describe('readPhone', () => {
    it.each([
      ['+15105550100', '+15105550100'],
      ['+1 (510) 555-0100', '+15105550100'],
      ['0015105550100', '+15105550100'],
      ['15105550100', '+15105550100'],
      ['+44 20 7946 0000', '+442079460000'],
    ])('reads %p as %p', (input, expected) => {
      expect(readPhone(input)).toBe(expected);
    });

    it.each(['5105550100', '02079460000', 'anonymous', '', '+0123456789', '+1234567890123456', '1234', 15105550100])(
      'does not guess E.164 from %p',
      (input) => {
        expect(readPhone(input)).toBeNull();
      },
    );
  });

  it('reads directions in either vocabulary', () => {
    expect(['inbound', 'Incoming', ' in '].map(readDirection)).toEqual(['inbound', 'inbound', 'inbound']);
    expect(['outbound', 'OUTGOING', 'out'].map(readDirection)).toEqual(['outbound', 'outbound', 'outbound']);
    expect([null, 'internal', 3].map(readDirection)).toEqual([null, null, null]);
  });

  it('reads the first URL of a string, a list of strings or a list of recording objects', () => {
    expect(readFirstUrl('https://x/1')).toBe('https://x/1');
    expect(readFirstUrl(['', 'https://x/2'])).toBe('https://x/2');
    expect(readFirstUrl([{ id: 1 }, { url: 'https://x/3' }])).toBe('https://x/3');
    expect(readFirstUrl([])).toBeNull();
    expect(readFirstUrl({ url: 'https://x/4' })).toBeNull();
  });

  it('reads own properties only', () => {
    expect(own({}, 'constructor')).toBeUndefined();
    expect(own({ toString: 1 }, 'toString')).toBe(1);
    expect(own(null, 'a')).toBeUndefined();
    expect(firstPresent({ a: null, b: 0, c: 1 }, ['a', 'b', 'c'])).toBe(0);
  });

  it('trims text and treats blank text as absent', () => {
    expect([readText('  hi '), readText('   '), readText(5)]).toEqual(['hi', null, null]);
  });

  it('never throws on any JSON value', () => {
    const readers = [readId, readDate, readPhone, readDirection, readFirstUrl, readText];
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        for (const read of readers) read(value);
      }),
    );
  });
});
