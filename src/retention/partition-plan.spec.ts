import { DAY_MS, dayStartUtc, partitionName, planPartitions } from './partition-plan.js';

const day = (iso: string) => new Date(`${iso}T00:00:00.000Z`);

describe('planPartitions', () => {
  const now = new Date('2025-03-10T15:30:00.000Z');

  it('names a day by its UTC date', () => {
    expect(partitionName('webhook_events', day('2025-03-09'))).toBe('webhook_events_p20250309');
    expect(dayStartUtc(now)).toEqual(day('2025-03-10'));
  });

  it('creates today and the days ahead after the newest partition, one per day', () => {
    // today is 03-10: three days ahead is up to the end of 03-13
    const plan = planPartitions('t', [{ name: 't_p20250311', upper: day('2025-03-12') }], now, 3, 30);
    expect(plan.create.map((p) => p.name)).toEqual(['t_p20250312', 't_p20250313']);
    for (const p of plan.create) expect(p.to.getTime() - p.from.getTime()).toBe(DAY_MS);
    expect(plan.drop).toEqual([]);
  });

  it('starts from today when the newest partition ended before (the job did not run for days)', () => {
    const plan = planPartitions('t', [{ name: 'old', upper: day('2025-03-01') }], now, 1, 30);
    expect(plan.create.map((p) => p.name)).toEqual(['t_p20250310', 't_p20250311']);
  });

  it('starts from today with no partition at all', () => {
    expect(planPartitions('t', [], now, 0, 30).create.map((p) => p.name)).toEqual(['t_p20250310']);
  });

  it('drops a partition only once every row it can hold is older than the retention', () => {
    const existing = [
      { name: 'legacy', upper: day('2025-02-08') },
      { name: 't_p20250208', upper: day('2025-02-09') },
      { name: 't_p20250209', upper: day('2025-02-10') },
      { name: 't_p20250210', upper: day('2025-02-11') },
      { name: 't_p20250320', upper: day('2025-03-21') },
    ];
    // cutoff: 2025-02-08T15:30Z (30 days before now): the day of 02-08 still holds younger rows
    expect(planPartitions('t', existing, now, 7, 30).drop).toEqual(['legacy']);
    // at 03-11 00:00 the cutoff is 02-09 00:00: the whole of 02-08 is past it
    expect(planPartitions('t', existing, new Date('2025-03-11T00:00:00.000Z'), 7, 30).drop).toEqual(['legacy', 't_p20250208']);
  });

  it('creates nothing after a MAXVALUE partition', () => {
    expect(planPartitions('t', [{ name: 'all', upper: null }], now, 7, 30)).toEqual({ create: [], drop: [] });
  });
});
