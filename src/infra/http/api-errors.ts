import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';
import type { DomainErrorCode } from '../../common/errors/domain-error.js';
import type { ErrorBody } from './all-exceptions.filter.js';

/** The body of every error answer, whatever the route (all-exceptions.filter.ts builds it). */
export class ErrorDto implements ErrorBody {
  @ApiProperty({ description: 'The HTTP status, repeated', example: 404 })
  statusCode!: number;

  @ApiProperty({ description: 'The reason phrase of the status', example: 'Not Found' })
  error!: string;

  @ApiProperty({
    description: 'What went wrong; a validation failure lists one entry per problem',
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    example: 'App 3f2c9a4e-1b7d-4c2a-9e8f-0a1b2c3d4e5f not found',
  })
  message!: string | string[];

  @ApiProperty({ description: 'The `x-request-id` of the request (echoed, or generated): quote it when reporting a problem' })
  request_id!: string;

  // a string, not an enum: the codes grow with the features (DomainErrorCode in domain-error.ts)
  @ApiPropertyOptional({ description: 'The domain error code (DomainErrorCode), when a domain rule refused the request', example: 'APP_NOT_FOUND' })
  code?: DomainErrorCode;
}

/** The error statuses the service answers with. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 500 | 502 | 503;

const DEFAULT_DESCRIPTIONS: Record<ErrorStatus, string> = {
  400: 'Invalid input: a path parameter, query parameter or body field (the message names each problem)',
  401: 'Missing, invalid or expired credentials',
  403: 'Not allowed (e.g. the app is inactive)',
  404: 'Not found (an unknown app, or a resource of another app)',
  409: 'Conflicts with the current state',
  413: 'Body larger than 1 MiB',
  415: 'Unsupported Content-Type',
  422: 'Unprocessable request',
  429: 'Rate limited: retry after the Retry-After header',
  500: 'Unexpected error (logged with the request id)',
  502: 'Dialpad refused the request or answered something unusable',
  503: 'PostgreSQL or Redis unavailable: retry shortly',
};

/** The refusals of each auth scheme's guard (src/auth/), for `@ApiErrors(ADMIN_AUTH_ERRORS, …)` next to the guard. */
export const ADMIN_AUTH_ERRORS = { 401: 'Missing, invalid or expired admin JWT', 403: 'The token does not carry role "admin"' } as const;
export const API_KEY_AUTH_ERRORS = { 401: 'Missing, unknown or revoked x-app-api-key', 403: 'The app is inactive' } as const;
export const AGENT_AUTH_ERRORS = { 401: 'Missing, invalid or expired agent token', 403: 'The app is inactive' } as const;

/**
 * Documents the error answers a route (on a method) or every route of a controller
 * (on the class) can give: `@ApiErrors(400, 404)`, or with a route-specific text
 * `@ApiErrors(400, { 404: 'Unknown app or event' })`. Only list statuses the route can
 * really answer. The body schema (ErrorDto) is attached to every 4xx/5xx answer when
 * the document is built (swagger.ts), so it is not repeated here.
 */
export function ApiErrors(...errors: Array<ErrorStatus | Partial<Record<ErrorStatus, string>>>) {
  const described = errors.flatMap((e) =>
    typeof e === 'number' ? [[e, DEFAULT_DESCRIPTIONS[e]] as const] : Object.entries(e).map(([status, text]) => [Number(status), text] as const),
  );
  return applyDecorators(...described.map(([status, description]) => ApiResponse({ status, description })));
}
