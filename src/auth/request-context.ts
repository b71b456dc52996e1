import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { AppId } from '../common/app-id.js';
import type { FastifyRequest } from 'fastify';
import type { ResolvedApp } from '../api-keys/api-key-resolver.service.js';
import type { AuditContext } from '../apps/api-key-audit.repository.js';

export interface AdminPrincipal {
  sub: string;
}

export interface AgentPrincipal {
  /** the agent's e-mail (the token's `sub`) */
  email: string;
  appId: AppId;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The tenant resolved by ApiKeyGuard. */
    tenant?: ResolvedApp;
    /** The administrator resolved by AdminGuard. */
    admin?: AdminPrincipal;
    /** The dialer agent resolved by AgentGuard. */
    agent?: AgentPrincipal;
  }
}

/** The app (tenant) resolved from `x-app-api-key` by ApiKeyGuard. */
export const CurrentApp = createParamDecorator((_: unknown, ctx: ExecutionContext): ResolvedApp => {
  const tenant = ctx.switchToHttp().getRequest<FastifyRequest>().tenant;
  if (!tenant) throw new Error('CurrentApp used on a route without ApiKeyGuard');
  return tenant;
});

/** Who did it and from where, for the audit log. */
export const AuditCtx = createParamDecorator((_: unknown, ctx: ExecutionContext): AuditContext => {
  const req = ctx.switchToHttp().getRequest<FastifyRequest>();
  const ua = req.headers['user-agent'];
  return { actor: req.admin?.sub ?? 'unknown', ip: req.ip ?? null, userAgent: typeof ua === 'string' ? ua : null };
});

/** The dialer agent resolved from its Bearer token by AgentGuard. */
export const CurrentAgent = createParamDecorator((_: unknown, ctx: ExecutionContext): AgentPrincipal => {
  const agent = ctx.switchToHttp().getRequest<FastifyRequest>().agent;
  if (!agent) throw new Error('CurrentAgent used on a route without AgentGuard');
  return agent;
});
