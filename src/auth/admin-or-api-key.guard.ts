import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AdminGuard } from './admin.guard.js';
import { ApiKeyGuard } from './api-key.guard.js';

/**
 * Either an administrator (`Authorization: Bearer <admin JWT>`) or an app
 * (`x-app-api-key`). With a key, `req.tenant` is set: the route must check it
 * is the app the request is about (another app's id answers 404).
 */
@Injectable()
export class AdminOrApiKeyGuard implements CanActivate {
  constructor(
    private readonly admin: AdminGuard,
    private readonly apiKey: ApiKeyGuard,
  ) {}

  canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    return req.headers.authorization ? this.admin.canActivate(context) : this.apiKey.canActivate(context);
  }
}
