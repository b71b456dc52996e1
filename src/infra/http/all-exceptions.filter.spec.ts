import { toErrorBody, unavailableDependency } from './all-exceptions.filter.js';

describe('unavailableDependency', () => {
  it.each([
    [{ name: 'MaxRetriesPerRequestError', message: 'Reached the max retries per request limit' }, 'Redis'],
    [new Error('Connection is closed.'), 'Redis'],
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }), 'PostgreSQL'],
    [Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }), 'PostgreSQL'],
    [Object.assign(new Error('x'), { driverError: { code: '08006' } }), 'PostgreSQL'],
    [new Error('Connection terminated unexpectedly'), 'PostgreSQL'],
  ])('%o → %s', (err, expected) => {
    expect(unavailableDependency(err)).toBe(expected);
  });

  it.each([new Error('boom'), Object.assign(new Error('dup'), { code: '23505' }), null, 'text'])('%o is a plain failure', (err) => {
    expect(unavailableDependency(err)).toBeNull();
  });

  it('answers 503 with the dependency named, never the raw error', () => {
    const body = toErrorBody(Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:6379 secret-host'), { name: 'MaxRetriesPerRequestError' }), 'r1');
    expect(body).toEqual({ statusCode: 503, error: 'Service Unavailable', message: 'Redis is unavailable: retry shortly', code: 'UNAVAILABLE', request_id: 'r1' });
    expect(toErrorBody(new Error('boom'), 'r2').statusCode).toBe(500);
  });
});
