import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { errors, jwtVerify } from 'jose';
import { DomainError } from '../common/errors/domain-error.js';
import { AppConfig } from '../infra/config/app-config.js';

/** `/internal/*`: `Authorization: Bearer <JWT>` signed HS256 with INTERNAL_JWT_SECRET and carrying `role: "admin"`. */
@Injectable()
export class AdminGuard implements CanActivate {
  private readonly key: Uint8Array;

  constructor(config: AppConfig) {
    this.key = new TextEncoder().encode(config.INTERNAL_JWT_SECRET);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    const token = bearerToken(req.headers.authorization);
    if (!token) throw new DomainError('UNAUTHENTICATED', 'Missing Authorization: Bearer <admin JWT>');
    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'] }));
    } catch (err) {
      const reason = err instanceof errors.JWTExpired ? 'Admin token has expired' : 'Invalid admin token';
      throw new DomainError('UNAUTHENTICATED', reason);
    }
    if (payload.role !== 'admin') throw new DomainError('FORBIDDEN', 'Token does not carry role "admin"');
    req.admin = { sub: typeof payload.sub === 'string' ? payload.sub : 'admin' };
    return true;
  }
}

export function bearerToken(header: string | undefined): string | null {
  const match = header?.match(/^Bearer\s+(\S+)$/i);
  return match?.[1] ?? null;
}
