import { type ChildProcess, fork } from 'node:child_process';
import { Logger } from '@nestjs/common';
import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import type { AppConfig } from '../config/app-config.js';

/**
 * The event processor in a process of its own (EVENT_PROCESSOR_PROCESS, docs/architecture.md "Processes"): the web
 * process forks the same entry point with this role, watches it (restarts it when it dies, stops it with itself)
 * and serves its metrics. The child is a whole node that does not listen: it claims and processes events, and its
 * messages reach this node's sockets through Redis like any other node's.
 */
export const PROCESS_ROLE_ENV = 'TURBO_CTI_PROCESS_ROLE';
const PROCESSOR_ROLE = 'processor';

export type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];

interface MetricsRequest {
  type: 'metrics';
  id: number;
}

interface MetricsReply extends MetricsRequest {
  metrics: MetricsJson;
}

/** The child listens for its parent's messages (sent once, when it does). */
interface ReadyMessage {
  type: 'ready';
}

/** The web process's webhooks queue for their commit (or no longer do): the child's processor defers meanwhile. */
interface PressureMessage {
  type: 'ingest-pressure';
  pressing: boolean;
}

/** Whether this node's processor runs in a child process (EVENT_PROCESSOR_PROCESS; `cpus`: os.availableParallelism()). */
export function processorInChild(
  config: Pick<AppConfig, 'EVENT_PROCESSOR_ENABLED' | 'EVENT_PROCESSOR_PROCESS' | 'REDIS_URL' | 'REDIS_CLUSTER_NODES'>,
  cpus: number,
): boolean {
  if (!config.EVENT_PROCESSOR_ENABLED) return false;
  if (config.EVENT_PROCESSOR_PROCESS !== 'auto') return config.EVENT_PROCESSOR_PROCESS === 'child';
  // without a shared Redis the child could not reach this node's sockets (nor share the dialer's sessions)
  return cpus >= 2 && Boolean(config.REDIS_URL || config.REDIS_CLUSTER_NODES);
}

/** Whether this process is a processor child started by ProcessorChild (and still has its parent on the line). */
export function isProcessorChild(): boolean {
  return process.env[PROCESS_ROLE_ENV] === PROCESSOR_ROLE && typeof process.send === 'function';
}

/**
 * The child's side: answers the parent's metrics requests, hands on what the parent says of its webhooks
 * (`onPressure`, "Webhooks first" in docs/architecture.md), and calls `onParentGone` when the parent's channel closes
 * (the parent exited, however abruptly): a child never outlives the node it belongs to.
 */
export function answerParent(metrics: () => Promise<MetricsJson>, onParentGone: () => void, onPressure: (pressing: boolean) => void = () => undefined): void {
  process.on('message', (message: unknown) => {
    if (isPressureMessage(message)) onPressure(message.pressing);
    if (!isMetricsRequest(message)) return;
    void metrics().then(
      (json) => process.send?.({ type: 'metrics', id: message.id, metrics: json } satisfies MetricsReply),
      () => process.send?.({ type: 'metrics', id: message.id, metrics: [] } satisfies MetricsReply),
    );
  });
  process.once('disconnect', onParentGone);
  process.send?.({ type: 'ready' } satisfies ReadyMessage);
}

/** A child that lived this long died young (a bad database URL, say, kills it at start). */
const YOUNG_MS = 60_000;
const MAX_RESTART_DELAY_MS = 30_000;

/**
 * When to restart a child that died, after `livedMs`: at once after a long life; dying young again and again
 * backs off, 1 s, 2 s, 4 s … up to 30 s, until a child lives long enough to count as healthy. Pure.
 */
export function nextRestart(quickDeaths: number, livedMs: number): { quickDeaths: number; delayMs: number } {
  if (livedMs >= YOUNG_MS) return { quickDeaths: 0, delayMs: 0 };
  const deaths = quickDeaths + 1;
  return { quickDeaths: deaths, delayMs: Math.min(MAX_RESTART_DELAY_MS, 1000 * 2 ** (deaths - 1)) };
}

/** The parent's side: starts the child, restarts it when it dies (backing off when it dies young), stops it. */
export class ProcessorChild {
  private readonly logger = new Logger('ProcessorChild');
  private child: ChildProcess | null = null;
  private stopping = false;
  private quickDeaths = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, (metrics: MetricsJson | null) => void>();
  /** what the child was last told of this process's webhooks */
  private pressing = false;

  /** @param env the child's environment (the parent's, with what the child must be told) */
  constructor(private readonly env: NodeJS.ProcessEnv) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    const startedAt = Date.now();
    const child = fork(process.argv[1]!, process.argv.slice(2), {
      env: { ...this.env, [PROCESS_ROLE_ENV]: PROCESSOR_ROLE },
      // a debugger port cannot be shared; profiling and loader flags go along
      execArgv: process.execArgv.filter((a) => !a.startsWith('--inspect')),
      stdio: 'inherit',
    });
    this.child = child;
    child.on('message', (message: unknown) => {
      // the child listens now: a child started while webhooks press is told so
      if (isReadyMessage(message) && this.pressing) this.pressure(true);
      if (!isMetricsReply(message)) return;
      this.pending.get(message.id)?.(message.metrics);
      this.pending.delete(message.id);
    });
    child.once('exit', (code, signal) => {
      this.child = null;
      for (const resolve of this.pending.values()) resolve(null);
      this.pending.clear();
      if (this.stopping) return;
      const next = nextRestart(this.quickDeaths, Date.now() - startedAt);
      this.quickDeaths = next.quickDeaths;
      const delay = next.delayMs;
      this.logger.error(`the event processor process (pid ${child.pid}) exited with ${signal ?? `code ${code}`}: restarting it in ${delay} ms`);
      this.restartTimer = setTimeout(() => this.start(), delay);
    });
  }

  /** The child's metrics (its registry as JSON), or null when it is not running or does not answer in time. */
  async metrics(timeoutMs = 2000): Promise<MetricsJson | null> {
    const child = this.child;
    if (!child?.connected) return null;
    const id = this.nextId++;
    return await new Promise<MetricsJson | null>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve(null);
      }, timeoutMs);
      this.pending.set(id, (metrics) => {
        clearTimeout(timer);
        resolve(metrics);
      });
      child.send({ type: 'metrics', id } satisfies MetricsRequest, (err) => {
        if (!err) return;
        clearTimeout(timer);
        this.pending.delete(id);
        resolve(null);
      });
    });
  }

  /** Tells the child whether this process's webhooks press (its processor defers while they do); a restarted child is told again. */
  pressure(pressing: boolean): void {
    this.pressing = pressing;
    if (this.child?.connected) this.child.send({ type: 'ingest-pressure', pressing } satisfies PressureMessage, () => undefined);
  }

  /** Stops the child: SIGTERM (it lets its batch in flight commit), SIGKILL after `graceMs`. Never restarts it again. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
    kill.unref();
    await exited;
    clearTimeout(kill);
  }
}

function isMetricsRequest(m: unknown): m is MetricsRequest {
  return typeof m === 'object' && m !== null && (m as MetricsRequest).type === 'metrics' && typeof (m as MetricsRequest).id === 'number';
}

function isReadyMessage(m: unknown): m is ReadyMessage {
  return typeof m === 'object' && m !== null && (m as ReadyMessage).type === 'ready';
}

function isPressureMessage(m: unknown): m is PressureMessage {
  return typeof m === 'object' && m !== null && (m as PressureMessage).type === 'ingest-pressure' && typeof (m as PressureMessage).pressing === 'boolean';
}

function isMetricsReply(m: unknown): m is MetricsReply {
  return isMetricsRequest(m) && Array.isArray((m as MetricsReply).metrics);
}
