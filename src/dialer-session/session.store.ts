import { randomUUID } from 'node:crypto';
import type { AppId } from '../common/app-id.js';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error.js';
import { RedisService } from '../infra/redis/redis.service.js';

export type ReadyState = 'PLAY' | 'PAUSE' | 'STOPPED';

export interface DialerSession {
  id: string;
  app_id: AppId;
  agent_email: string;
  dialpad_user_id: string;
  spreadsheet_id: string;
  tab_id: string;
  campaign_name: string;
  state: ReadyState;
  /** the attempt waiting for its disposition, if any */
  current_attempt_id: string | null;
  started_at: string;
  updated_at: string;
}

/** A live session lives this long without activity (every request renews it). */
export const SESSION_TTL_SECONDS = 8 * 3600;

/**
 * Sessions in Redis (the seed's keys, scoped by app): `dialer:session:{app}:{id}`
 * holds the session, `dialer:agent:{app}:{email}` points at the agent's live one.
 */
@Injectable()
export class SessionStore {
  constructor(private readonly redis: RedisService) {}

  // `{app}` is the keys' hash tag: save() changes a session and its agent pointer in one
  // MULTI, which a Redis Cluster accepts only when both keys are in one slot
  private sessionKey(appId: AppId, id: string): string {
    return this.redis.key(`dialer:session:{${appId}}:${id}`);
  }

  private agentKey(appId: AppId, email: string): string {
    return this.redis.key(`dialer:agent:{${appId}}:${email.toLowerCase()}`);
  }

  async current(appId: AppId, email: string): Promise<DialerSession | null> {
    const id = await this.redis.client.get(this.agentKey(appId, email));
    if (!id) return null;
    const session = await this.get(appId, id);
    if (!session || session.state === 'STOPPED') return null;
    return session;
  }

  /** The agent's live session; SESSION_NOT_FOUND (404) when there is none. */
  async requireCurrent(agent: { appId: AppId; email: string }): Promise<DialerSession> {
    const session = await this.current(agent.appId, agent.email);
    if (!session) throw new DomainError('SESSION_NOT_FOUND', 'No live dialer session: POST /session/start');
    return session;
  }

  async get(appId: AppId, id: string): Promise<DialerSession | null> {
    const raw = await this.redis.client.get(this.sessionKey(appId, id));
    return raw ? (JSON.parse(raw) as DialerSession) : null;
  }

  /**
   * Creates the agent's session unless one is live: the agent key is claimed with
   * SET NX, so two concurrent starts give one session. Returns it and whether it is new.
   */
  async create(fields: Omit<DialerSession, 'id' | 'state' | 'current_attempt_id' | 'started_at' | 'updated_at'>): Promise<{ session: DialerSession; created: boolean }> {
    const now = new Date().toISOString();
    const session: DialerSession = {
      ...fields,
      id: randomUUID(),
      state: 'PLAY',
      current_attempt_id: null,
      started_at: now,
      updated_at: now,
    };
    const agentKey = this.agentKey(fields.app_id, fields.agent_email);
    for (let attempt = 0; attempt < 3; attempt++) {
      const claimed = await this.redis.client.set(agentKey, session.id, 'EX', SESSION_TTL_SECONDS, 'NX');
      if (claimed === 'OK') {
        await this.save(session);
        return { session, created: true };
      }
      const existing = await this.current(fields.app_id, fields.agent_email);
      if (existing) return { session: existing, created: false };
      await this.redis.client.del(agentKey); // points at a stopped or expired session
    }
    throw new Error('could not claim the agent session key');
  }

  async save(session: DialerSession): Promise<DialerSession> {
    session.updated_at = new Date().toISOString();
    const multi = this.redis.client.multi();
    multi.set(this.sessionKey(session.app_id, session.id), JSON.stringify(session), 'EX', SESSION_TTL_SECONDS);
    if (session.state === 'STOPPED') multi.del(this.agentKey(session.app_id, session.agent_email));
    else multi.expire(this.agentKey(session.app_id, session.agent_email), SESSION_TTL_SECONDS);
    await multi.exec();
    return session;
  }
}
