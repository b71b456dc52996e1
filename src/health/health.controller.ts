import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { DomainError } from '../common/errors/domain-error.js';
import { ApiErrors } from '../infra/http/api-errors.js';
import { RedisService } from '../infra/redis/redis.service.js';

const startedAt = Date.now();

const DEPENDENCY_UP = { type: 'object', properties: { status: { type: 'string', enum: ['up'] }, latency_ms: { type: 'number' } } };
const DEPENDENCIES_UP = { type: 'object', properties: { postgres: DEPENDENCY_UP, redis: DEPENDENCY_UP } };

@ApiTags('ops')
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    @Inject(DataSource) private readonly db: DataSource,
    private readonly redis: RedisService,
  ) {}

  /** Liveness: the process is up. */
  @Get()
  @ApiOperation({ summary: 'Liveness', security: [] })
  live(): { status: 'ok'; service: string; uptime_s: number } {
    return { status: 'ok', service: 'turbo-cti', uptime_s: Math.round((Date.now() - startedAt) / 1000) };
  }

  /** Readiness: PostgreSQL and Redis answer (503 otherwise). */
  @Get('health')
  // terminus documents its own 503 body: ours is the error shape (see the catch below)
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOperation({ summary: 'Readiness (PostgreSQL, Redis)', security: [] })
  @ApiOkResponse({
    description: 'PostgreSQL and Redis answer',
    schema: { type: 'object', properties: { status: { type: 'string', enum: ['ok'] }, info: DEPENDENCIES_UP, error: { type: 'object' }, details: DEPENDENCIES_UP } },
  })
  @ApiErrors({ 503: 'Not ready: names what is down (postgres, redis)' })
  async ready() {
    try {
      return await this.health.check([
        () => this.probe('postgres', async () => void (await this.db.query('SELECT 1'))),
        () => this.probe('redis', async () => void (await this.redis.ping())),
      ]);
    } catch (err) {
      // terminus' 503 body would be flattened by the global filter to "Service Unavailable Exception":
      // name what is down (names only: driver messages stay in the logs)
      if (err instanceof ServiceUnavailableException) {
        const down = Object.keys((err.getResponse() as { error?: Record<string, unknown> }).error ?? {});
        throw new DomainError('UNAVAILABLE', `Not ready: ${down.length ? down.join(', ') : 'a dependency'} down`);
      }
      throw err;
    }
  }

  private async probe(key: string, check: () => Promise<void>) {
    const indicator = this.indicator.check(key);
    const started = performance.now();
    try {
      await withTimeout(check(), 2000);
      return indicator.up({ latency_ms: Math.round((performance.now() - started) * 10) / 10 });
    } catch (err) {
      return indicator.down({ message: (err as Error).message });
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms).unref())]);
}
