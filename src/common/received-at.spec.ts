import { receivedAtBounds } from './received-at.js';

describe('receivedAtBounds', () => {
  it('takes the least and the greatest instant of UTC ISO texts, microseconds included, skipping nulls', () => {
    expect(
      receivedAtBounds(['2026-12-06T14:04:40.309124Z', null, '2026-12-05T23:59:59.999999Z', '2026-12-06T14:04:40.309123Z', '2026-12-06T00:00:00.000000Z']),
    ).toEqual(['2026-12-05T23:59:59.999999Z', '2026-12-06T14:04:40.309124Z']);
  });

  it('gives nulls for no text (the statement then reaches no stored event)', () => {
    expect(receivedAtBounds([])).toEqual([null, null]);
    expect(receivedAtBounds([null, null])).toEqual([null, null]);
  });
});
