import { maskDeep, maskPhoneNumbers } from './mask.js';

describe('maskPhoneNumbers', () => {
  it.each([
    ['+15551234567', '+1555***4567'],
    ['call to +442071838750 failed', 'call to +4420***8750 failed'],
    ['/api/calls?from_number=%2B15105550100', '/api/calls?from_number=%2B1510***0100'],
    ['5105550100', '5105***0100'],
  ])('masks %s', (input, expected) => {
    expect(maskPhoneNumbers(input)).toBe(expected);
  });

  it.each(['port 4000', 'attempt 12345', 'uuid 3f1c2a9e-8b7d-4c1e-9f00-123456789abc', '2026-11-21T22:43:07Z'])(
    'leaves %s alone',
    (input) => {
      expect(maskPhoneNumbers(input)).toBe(input);
    },
  );

  it('masks nested values', () => {
    expect(maskDeep({ req: { url: '/x?to=+15551234567' }, list: ['+15559876543'] })).toEqual({
      req: { url: '/x?to=+1555***4567' },
      list: ['+1555***6543'],
    });
  });
});
