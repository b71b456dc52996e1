import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error.js';
import { RedisLock } from '../infra/redis/redis-lock.js';
import { DialerSession, SessionStore } from './session.store.js';

const LOCK_TTL_MS = 5000;

/**
 * The one way a session is changed: holding its Redis lock (tried once: a
 * second request of the same session is refused, not queued), with the session
 * as it is now — re-read after the lock is taken, since what was read before may be stale.
 */
@Injectable()
export class SessionLock {
  constructor(
    private readonly lock: RedisLock,
    private readonly sessions: SessionStore,
  ) {}

  async run<T>(session: DialerSession, fn: (fresh: DialerSession) => Promise<T>): Promise<T> {
    const held = await this.lock.tryAcquire(`session:${session.id}`, LOCK_TTL_MS);
    if (!held) throw new DomainError('SESSION_BUSY', 'Another dial or disposition of this session is in progress: try again');
    try {
      const fresh = await this.sessions.get(session.app_id, session.id);
      if (!fresh || fresh.state === 'STOPPED') throw new DomainError('SESSION_NOT_FOUND', 'No live dialer session: POST /session/start');
      return await fn(fresh);
    } finally {
      await held.release();
    }
  }
}
