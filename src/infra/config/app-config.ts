import { plainToInstance, Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, MaxLength, Min, MinLength, validateSync } from 'class-validator';

const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));
const blankToUndefined = ({ value }: { value: unknown }) => (value === '' ? undefined : value);
const toBool = ({ value }: { value: unknown }) =>
  value === undefined || value === ''
    ? undefined
    : (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') && ['1', 'true', 'yes', 'on'].includes(String(value).toLowerCase());

/**
 * Every environment variable the service reads, parsed and validated once at
 * start. `.env.example` documents each one; a bad value stops the start with a
 * message naming the variable.
 */
export class AppConfig {
  /** PostgreSQL connection string. Unset: an embedded PostgreSQL is started under ./.data (single node, demo). */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  /** Redis connection string. Unset: an in-process Redis stand-in (single node only). */
  @IsOptional()
  @Matches(/^rediss?:\/\//, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  /**
   * Redis Cluster seed nodes, `host:port,host:port,…` (any of the cluster's masters; the
   * rest is discovered). Set instead of REDIS_URL. Keys used together share a hash tag,
   * so every multi-key command stays in one slot.
   */
  @IsOptional()
  @Matches(/^[A-Za-z0-9.-]+:\d{1,5}(,[A-Za-z0-9.-]+:\d{1,5})*$/, { message: 'REDIS_CLUSTER_NODES must be host:port[,host:port…]' })
  REDIS_CLUSTER_NODES?: string;

  /** Prefix of every Redis key and pub/sub channel, so several deployments (or test runs) can share one Redis. */
  @IsString()
  @Matches(/^[A-Za-z0-9:_-]{0,64}$/, { message: 'REDIS_KEY_PREFIX may hold letters, digits, ":", "_" and "-" only' })
  REDIS_KEY_PREFIX = 'cti:';

  /** HTTP and WebSocket port (0: any free port). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 4000;

  /** Interface to listen on. */
  @IsString()
  HOST = '0.0.0.0';

  /** HS256 secret for admin (`role: admin`) and agent JWTs; at least 32 characters. */
  @IsString()
  @MinLength(32, { message: 'INTERNAL_JWT_SECRET must be at least 32 characters' })
  INTERNAL_JWT_SECRET!: string;

  /** 32-byte key for AES-256-GCM encryption of secrets at rest: 64 hex characters or base64. */
  @IsString()
  @Matches(/^([0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)$/, {
    message: 'ENCRYPTION_KEY must be 32 bytes as 64 hex characters or 44 base64 characters',
  })
  ENCRYPTION_KEY!: string;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' = 'info';

  /** Pretty, human-readable logs (development only; production logs are JSON). */
  @Transform(toBool)
  @IsBoolean()
  LOG_PRETTY = false;

  /** Run pending migrations at start (guarded by an advisory lock). */
  @Transform(toBool)
  @IsBoolean()
  MIGRATIONS_RUN = true;

  /** Seconds an API key lookup stays cached on a node (invalidated across nodes on rotate/revoke). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3600)
  API_KEY_CACHE_TTL_SECONDS = 30;

  /** Directory for the embedded database and generated demo secrets. */
  @IsString()
  DATA_DIR = './.data';

  /** Port of the embedded PostgreSQL (only when DATABASE_URL is unset). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(65535)
  EMBEDDED_PG_PORT = 54329;

  /** Public origin of this service, used to build webhook and OAuth URLs. */
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true })
  PUBLIC_BASE_URL?: string;

  /** Run the event processor on this node (every node may; they share the work). */
  @Transform(toBool)
  @IsBoolean()
  EVENT_PROCESSOR_ENABLED = true;

  /**
   * Where this node's processor runs: `child`, a process of its own that main.ts starts and watches (webhooks and
   * processing each get a core; its metrics are served on this node's /metrics); `inline`, in the web process
   * (one process: a 1-CPU container, the e2e tests, a node without a shared Redis); `auto`, `child` when the machine
   * has 2 CPUs or more and Redis is shared (REDIS_URL or REDIS_CLUSTER_NODES), else `inline`. Default `inline`: on 2 cores
   * the child layout was not reliably faster, the machine being full either way (README, "Scaling and guarantees").
   */
  @IsIn(['auto', 'child', 'inline'])
  EVENT_PROCESSOR_PROCESS: 'auto' | 'child' | 'inline' = 'inline';

  /** Wake the processor with LISTEN/NOTIFY (off: polling only, as the seed design; used by the benchmark baseline). */
  @Transform(toBool)
  @IsBoolean()
  EVENT_NOTIFY_ENABLED = true;

  /** Fallback poll interval of the event processor; LISTEN/NOTIFY wakes it at once otherwise. */
  @Transform(toInt)
  @IsInt()
  @Min(50)
  @Max(600_000)
  EVENT_POLL_INTERVAL_MS = 5000;

  /** Events claimed per batch (FOR UPDATE SKIP LOCKED). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  EVENT_BATCH_SIZE = 50;

  /** Under a backlog a batch that came full doubles the next one's size, up to this (one commit carries more). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(5000)
  EVENT_BATCH_MAX = 500;

  /**
   * Batches in flight per node under a backlog (each its own transaction: while one commits, the next claims).
   * Idle, one runs; a batch that came full wakes the next. Per-call order and per-app stream order hold as across nodes.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(16)
  EVENT_PROCESSOR_CONCURRENCY = 2;

  /**
   * Webhooks first (docs/architecture.md, "Webhooks first"): while on average at least this many webhook requests wait
   * for their commit on this node, its event processor defers its next batch (0: never). Idle and at ordinary rates
   * nobody waits; a node full with a burst keeps its CPU for storing events, and processes them when it eases.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(10_000)
  EVENT_INGEST_PRIORITY_QUEUE = 16;

  /** The longest a batch is deferred for webhooks; then one runs anyway, and the processor defers again (progress under any load). */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(60_000)
  EVENT_INGEST_PRIORITY_MAX_DEFER_MS = 1000;

  /**
   * Webhooks first holds only while the backlog is younger than this: once the oldest event a batch claimed had
   * waited longer, the processor stops deferring and takes its share of the machine again, so under a sustained
   * overload the queue cannot grow without bound (ingest then runs as with EVENT_INGEST_PRIORITY_QUEUE=0).
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  EVENT_INGEST_PRIORITY_MAX_LAG_MS = 10_000;

  /** Failed attempts before an event is dead-lettered. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  EVENT_MAX_ATTEMPTS = 10;

  /** Upper bound of the exponential retry delay of a failing event, in ms. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  EVENT_RETRY_MAX_DELAY_MS = 300_000;

  /**
   * Days the event log (`webhook_events`, with the stored WebSocket messages) is kept: the
   * retention job drops a day's partition once the whole day is older than this.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3650)
  EVENT_RETENTION_DAYS = 30;

  /**
   * Hours a redelivered event (same app and Dialpad event identity) is still recognised as a
   * duplicate. Dialpad retries within seconds; forwarders may replay later. At most 720 and at
   * most EVENT_RETENTION_DAYS × 24.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(720)
  EVENT_DEDUP_HOURS = 72;

  /**
   * Days calls, voicemails and SMS are kept after their last change; 0 (the default): kept
   * forever. The user's choice, unlike the event log.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(36_500)
  CALL_RETENTION_DAYS = 0;

  /** Run the retention job (partitions ahead, expired partitions, dedup keys) on this node; one node at a time runs it. */
  @Transform(toBool)
  @IsBoolean()
  RETENTION_JOB_ENABLED = true;

  /** How often the retention job runs (it also runs once at start). */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(86_400_000)
  RETENTION_JOB_INTERVAL_MS = 3_600_000;

  /** WebSocket heartbeat: a ping every this many ms; a client that missed the previous pong is dropped. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(600_000)
  WS_HEARTBEAT_MS = 30_000;

  /**
   * A socket whose unsent frames exceed this many bytes (a client that stopped reading) is
   * closed with 4408, never silently skipped: it reconnects with `?since=` and gets what it missed.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  WS_MAX_BUFFERED_BYTES = 1024 * 1024;

  /** Trust X-Forwarded-For (set it when behind a load balancer; otherwise clients could spoof their IP in the audit log). */
  @Transform(toBool)
  @IsBoolean()
  TRUST_PROXY = false;

  /** Default router spreadsheet of the preview dialer (an app's dialer-config overrides it). */
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{10,200}$/, { message: 'ROUTER_SPREADSHEET_ID must be a Google spreadsheet id' })
  ROUTER_SPREADSHEET_ID?: string;

  /** Lifetime of agent tokens minted by POST /api/agents/token, in seconds. */
  @Transform(toInt)
  @IsInt()
  @Min(60)
  @Max(86_400)
  AGENT_TOKEN_TTL_SECONDS = 3600;

  /** Serve Swagger UI at /docs (the OpenAPI JSON at /docs-json is always served). */
  @Transform(toBool)
  @IsBoolean()
  SWAGGER_UI = true;

  /** Seconds to wait for in-flight work on SIGTERM before closing. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  SHUTDOWN_GRACE_SECONDS = 10;

  // --- Dialpad OAuth and API client ---

  /** Dialpad origin for OAuth and REST (sandbox: https://sandbox.dialpad.com; tests: a local fake). */
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] }, { message: 'DIALPAD_BASE_URL must be an http(s) URL' })
  DIALPAD_BASE_URL = 'https://dialpad.com';

  /** Client id of this service's Dialpad OAuth app. Unset: /auth/dialpad/connect answers 503. */
  @Transform(blankToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(1)
  DIALPAD_CLIENT_ID?: string;

  /** Client secret of this service's Dialpad OAuth app. */
  @Transform(blankToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(1)
  DIALPAD_CLIENT_SECRET?: string;

  /** OAuth redirect URI registered with Dialpad. Unset: PUBLIC_BASE_URL + /auth/dialpad/callback. */
  @Transform(blankToUndefined)
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true }, { message: 'DIALPAD_REDIRECT_URI must be an absolute URL' })
  DIALPAD_REDIRECT_URI?: string;

  /** Space-separated Dialpad OAuth scopes requested at connect. */
  @IsString()
  @Matches(/^[A-Za-z0-9:_.-]+( [A-Za-z0-9:_.-]+)*$/, { message: 'DIALPAD_SCOPES must be scope names separated by single spaces' })
  DIALPAD_SCOPES = 'calls:list recordings_export message_content_export screen_pop offline_access';

  /** Where the browser goes after a successful connect (with ?app_id=&status=connected). Unset: a plain success page. */
  @Transform(blankToUndefined)
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true }, { message: 'DIALPAD_CONNECT_SUCCESS_URL must be an absolute URL' })
  DIALPAD_CONNECT_SUCCESS_URL?: string;

  /** Timeout of one HTTP request to Dialpad, in ms. */
  @Transform(toInt)
  @IsInt()
  @Min(50)
  @Max(120_000)
  DIALPAD_HTTP_TIMEOUT_MS = 10_000;

  /** Attempts per Dialpad request (1 = no retry); retries only on 429, 5xx and network errors. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10)
  DIALPAD_RETRY_MAX_ATTEMPTS = 4;

  /** First retry delay in ms; doubles per attempt, with full jitter (Retry-After wins when Dialpad sends it). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(60_000)
  DIALPAD_RETRY_BASE_DELAY_MS = 250;

  /** Longest wait before a retry, in ms; a Retry-After beyond it is handed to the caller as a 429 instead. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(300_000)
  DIALPAD_RETRY_MAX_DELAY_MS = 10_000;

  /** Consecutive failures (5xx, timeouts, network) that open an app's Dialpad circuit breaker. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  DIALPAD_BREAKER_THRESHOLD = 5;

  /** How long an open circuit stays open before one trial request, in ms. */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(600_000)
  DIALPAD_BREAKER_HALF_OPEN_MS = 30_000;

  /** Client-side limit of call initiations per Dialpad user per minute (Dialpad allows 5). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  DIALPAD_CALLS_PER_USER_PER_MINUTE = 5;

  /** The window of that limit in ms (Dialpad's is a minute; tests compress it). */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  DIALPAD_CALLS_WINDOW_MS = 60_000;

  /** Client-side limit of Dialpad requests per second per connected company (Dialpad allows 20). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10_000)
  DIALPAD_REQUESTS_PER_SECOND = 20;

  /** Refresh an access token this many seconds before it expires. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3600)
  DIALPAD_TOKEN_REFRESH_SKEW_SECONDS = 60;

  // --- Google Sheets ---

  /** Path to a Google service-account JSON key with access to the router and agent sheets. */
  @Transform(blankToUndefined)
  @IsOptional()
  @IsString()
  GOOGLE_APPLICATION_CREDENTIALS?: string;

  /** Sheets API root URL override (a local fake or emulator); without credentials requests then go unauthenticated. */
  @Transform(blankToUndefined)
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] }, { message: 'SHEETS_API_ROOT_URL must be an http(s) URL' })
  SHEETS_API_ROOT_URL?: string;

  /** Timeout of one Sheets API request. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(120_000)
  SHEETS_REQUEST_TIMEOUT_MS = 15_000;

  /** Retries of a Sheets read on 429/5xx/network errors (truncated exponential backoff with jitter). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(20)
  SHEETS_RETRY_MAX_ATTEMPTS = 6;

  /** Retries of a Sheets write before it goes to the durable outbox (retried there by the worker). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(20)
  SHEETS_WRITE_INLINE_RETRIES = 2;

  /** First delay of the Sheets backoff, in ms. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  SHEETS_RETRY_BASE_DELAY_MS = 500;

  /** Longest single delay of the Sheets backoff, in ms (quotas refill per minute). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  SHEETS_RETRY_MAX_DELAY_MS = 60_000;

  /** Consecutive failed Sheets requests (429/5xx/network) that open the circuit breaker. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  SHEETS_BREAKER_THRESHOLD = 5;

  /** Ms an open Sheets circuit waits before letting a trial request through. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  SHEETS_BREAKER_HALF_OPEN_MS = 30_000;

  /** Seconds a sheet read stays in the per-spreadsheet cache (0: until an explicit refresh). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(86_400)
  SHEETS_CACHE_TTL_SECONDS = 10;

  /** Run the Sheets outbox worker on this node (every node may; they share the work). */
  @Transform(toBool)
  @IsBoolean()
  SHEETS_OUTBOX_ENABLED = true;

  /** How often the outbox worker looks for queued Sheets writes that are due. */
  @Transform(toInt)
  @IsInt()
  @Min(20)
  @Max(600_000)
  SHEETS_OUTBOX_POLL_INTERVAL_MS = 2000;

  /** A spreadsheet's queued writes go to Google at most once per this interval, every agent's changes in one request. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(60_000)
  SHEETS_FLUSH_INTERVAL_MS = 1000;

  /**
   * A flush finds each lead by RowID in this node's copy of its tab when the copy's row positions are at
   * most this old (read then, or confirmed since by a write's echo of the RowID column); older, it reads
   * the tabs first (one read request). Every write is checked against Google's echo: one that landed on a
   * moved row is written again and the other lead's cells are put back. 0: read before every flush.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(600_000)
  SHEETS_ROW_POSITIONS_MAX_AGE_MS = 10_000;

  /** Google's write requests per minute per user (one service account is one user): the budget every node shares. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100_000)
  SHEETS_WRITE_REQUESTS_PER_MINUTE = 60;

  /** Google's read requests per minute per user, shared the same way. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100_000)
  SHEETS_READ_REQUESTS_PER_MINUTE = 60;

  /** The quota window (Google's is a minute; tests compress it). */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  SHEETS_QUOTA_WINDOW_MS = 60_000;

  /** Who the quota belongs to (default: the service account's e-mail, else "default"): nodes sharing a Google user share one budget. */
  @IsOptional()
  @IsString()
  @MaxLength(320)
  SHEETS_QUOTA_USER?: string;

  get encryptionKey(): Buffer {
    return /^[0-9a-fA-F]{64}$/.test(this.ENCRYPTION_KEY)
      ? Buffer.from(this.ENCRYPTION_KEY, 'hex')
      : Buffer.from(this.ENCRYPTION_KEY, 'base64');
  }

}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

/** Parses and validates an environment; throws ConfigError naming every bad variable. */
export function parseConfig(env: Record<string, string | undefined>): AppConfig {
  const config = plainToInstance(AppConfig, { ...env }, { exposeDefaultValues: true });
  const errors = validateSync(config, { whitelist: false, forbidUnknownValues: false });
  if (errors.length > 0) {
    throw new ConfigError(
      errors.map((e) => {
        const messages = Object.values(e.constraints ?? {});
        return `${e.property}: ${messages.join('; ')}`;
      }),
    );
  }
  if (config.EVENT_DEDUP_HOURS > config.EVENT_RETENTION_DAYS * 24) {
    throw new ConfigError([
      `EVENT_DEDUP_HOURS: ${config.EVENT_DEDUP_HOURS} is longer than the event log is kept (EVENT_RETENTION_DAYS=${config.EVENT_RETENTION_DAYS}, ${config.EVENT_RETENTION_DAYS * 24} hours)`,
    ]);
  }
  if (config.EVENT_PROCESSOR_PROCESS === 'child' && !config.REDIS_URL && !config.REDIS_CLUSTER_NODES) {
    throw new ConfigError([
      "EVENT_PROCESSOR_PROCESS: 'child' needs a shared Redis (REDIS_URL or REDIS_CLUSTER_NODES): the processor's messages reach this node's sockets through it",
    ]);
  }
  if (config.REDIS_URL && config.REDIS_CLUSTER_NODES) {
    throw new ConfigError(['REDIS_CLUSTER_NODES: set either REDIS_URL (one Redis) or REDIS_CLUSTER_NODES (a cluster), not both']);
  }
  return config;
}
