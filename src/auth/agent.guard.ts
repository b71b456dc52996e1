import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import { AppChanges } from '../apps/app-changes.service.js';
import { AppsRepository } from '../apps/apps.repository.js';
import { DomainError } from '../common/errors/domain-error.js';
import { AppConfig } from '../infra/config/app-config.js';
import { bearerToken } from './admin.guard.js';
import { verifyAgentToken } from './agent-token.js';

/** Dialer routes: `Authorization: Bearer <agent JWT>` (minted by POST /api/agents/token); the app must be active. */
@Injectable()
export class AgentGuard implements CanActivate {
  private readonly active = new LRUCache<string, { isActive: boolean }>({ max: 10_000, ttl: 10_000 });

  constructor(
    private readonly config: AppConfig,
    private readonly apps: AppsRepository,
    changes: AppChanges,
  ) {
    changes.subscribe((appId) => this.active.delete(appId));
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    const token = bearerToken(req.headers.authorization);
    if (!token) throw new DomainError('UNAUTHENTICATED', 'Missing Authorization: Bearer <agent token>');
    const claims = await verifyAgentToken(this.config.INTERNAL_JWT_SECRET, token);
    if (!claims) throw new DomainError('UNAUTHENTICATED', 'Invalid or expired agent token');
    let entry = this.active.get(claims.app_id);
    if (!entry) {
      const app = await this.apps.findById(claims.app_id);
      if (!app) throw new DomainError('UNAUTHENTICATED', 'Invalid or expired agent token');
      entry = { isActive: app.is_active };
      this.active.set(claims.app_id, entry);
    }
    if (!entry.isActive) throw new DomainError('APP_INACTIVE', 'App is inactive');
    req.agent = { email: claims.sub, appId: claims.app_id };
    return true;
  }
}
