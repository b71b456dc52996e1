import { Injectable, Logger } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error.js';
import { EventMetrics } from './event-metrics.js';
import { EventsRepository, NewEvent, StoredEventRef } from './events.repository.js';
import { IngestPressure } from './ingest-pressure.js';

interface Pending {
  event: NewEvent;
  resolve: (ref: StoredEventRef) => void;
  reject: (err: unknown) => void;
}

const MAX_BATCH = 500;

/**
 * Stores webhook events durably before the 200. Concurrent requests are
 * micro-batched: everything that arrives while the event loop turns is written
 * with one INSERT and one commit, and each caller's promise resolves only after
 * that commit. Under load this does far fewer round trips and fsyncs than one
 * INSERT per request, and an idle request waits no longer than a lone INSERT.
 */
@Injectable()
export class EventIngestService {
  private readonly logger = new Logger(EventIngestService.name);
  private queue: Pending[] = [];
  private scheduled = false;

  constructor(
    private readonly events: EventsRepository,
    private readonly metrics: EventMetrics,
    private readonly pressure: IngestPressure,
  ) {}

  store(event: NewEvent): Promise<StoredEventRef> {
    this.pressure.arrived();
    const stored = new Promise<StoredEventRef>((resolve, reject) => {
      this.queue.push({ event, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
    // committed or refused, the request no longer waits (webhooks first: src/events/ingest-pressure.ts)
    return stored.finally(() => this.pressure.settled());
  }

  private flush(): void {
    this.scheduled = false;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      // write() settles each caller's promise; should it throw, the callers fail rather than wait forever
      this.write(batch).catch((err: unknown) => {
        this.logger.error(`storing a batch of webhook events failed: ${(err as Error).message}`);
        for (const p of batch) p.reject(err);
      });
    }
  }

  private async write(batch: Pending[]): Promise<void> {
    try {
      const refs = await this.events.insertMany(batch.map((p) => p.event));
      refs.forEach((ref, i) => {
        this.metrics.received.inc({ result: ref.duplicate ? 'duplicate' : 'stored' });
        batch[i]!.resolve(ref);
      });
    } catch (err) {
      if (batch.length > 1 && isDataError(err)) {
        // one bad row must not fail its neighbours: write them one by one
        await Promise.all(batch.map((p) => this.write([p])));
        return;
      }
      const mapped = toIngestError(err);
      if (mapped.code === 'UNAVAILABLE') this.logger.error(`could not store webhook events: ${(err as Error).message}`);
      for (const p of batch) p.reject(mapped);
    }
  }
}

/**
 * SQLSTATE class 22 (data exception), e.g. a JSON text jsonb refuses, or class 54
 * (program limit exceeded), e.g. an index key over btree's 2.7 kB or JSON nested
 * too deep. Both are the payload's fault, not the database's: a 503 would only
 * make Dialpad retry a poison event.
 */
function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown; driverError?: { code?: unknown } })?.driverError?.code ?? (err as { code?: unknown })?.code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('54'));
}

function toIngestError(err: unknown): DomainError {
  if (isDataError(err)) return new DomainError('INVALID_INPUT', 'payload could not be stored (e.g. a \\u0000 escape, a lone surrogate, or a value too large to index)');
  // the database is down or unreachable: 503 makes Dialpad retry (2, 4, 8 s)
  return new DomainError('UNAVAILABLE', 'event store unavailable, retry later');
}
