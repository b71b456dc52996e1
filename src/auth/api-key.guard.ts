import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiKeyResolver } from '../api-keys/api-key-resolver.service.js';
import { DomainError } from '../common/errors/domain-error.js';

export const API_KEY_HEADER = 'x-app-api-key';

/** `/api/*`: resolves the tenant from `x-app-api-key`. Unknown or revoked key → 401, inactive app → 403. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(private readonly resolver: ApiKeyResolver) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    const header = req.headers[API_KEY_HEADER];
    const key = Array.isArray(header) ? header[0] : header;
    if (!key) throw new DomainError('UNAUTHENTICATED', `Missing ${API_KEY_HEADER} header`);
    const app = await this.resolver.resolve(key);
    if (!app) throw new DomainError('UNAUTHENTICATED', 'Invalid or revoked API key');
    if (!app.isActive) throw new DomainError('APP_INACTIVE', 'App is inactive');
    req.tenant = app;
    return true;
  }
}
