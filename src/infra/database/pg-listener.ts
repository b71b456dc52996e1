import pg from 'pg';

export interface PgListenerOptions {
  connectionString: string;
  /** the NOTIFY channel (a plain identifier) */
  channel: string;
  applicationName: string;
  onNotify: () => void;
  /** after every (re)connection: what was notified while nobody listened is missed, the owner catches up */
  onListening: () => void;
  onProblem: (message: string) => void;
  reconnectDelayMs?: number;
}

/**
 * LISTEN on its own connection (a pooled one would be returned with the
 * subscription), reconnecting after a second whenever the connection is lost,
 * until stop(). Callers keep a fallback poll: notifications sent while
 * reconnecting are gone.
 */
export class PgListener {
  private client: pg.Client | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private connecting: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly options: PgListenerOptions) {
    if (!/^[a-z_][a-z0-9_]*$/i.test(options.channel)) throw new Error(`not a channel name: ${options.channel}`);
  }

  start(): Promise<void> {
    this.stopped = false;
    this.connecting = this.connect().finally(() => (this.connecting = null));
    return this.connecting;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    await this.connecting; // a connection being made now must not outlive the stop
    const client = this.client;
    this.client = null;
    if (client) await this.close(client);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.options.connectionString, application_name: this.options.applicationName });
    client.on('notification', () => this.options.onNotify());
    client.on('error', (err) => {
      this.options.onProblem(`LISTEN connection lost (${err.message}); polling until it is back`);
      this.scheduleReconnect(client);
    });
    client.on('end', () => this.scheduleReconnect(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${this.options.channel}`);
      if (this.stopped) {
        await this.close(client);
        return;
      }
      this.client = client;
      this.options.onListening();
    } catch (err) {
      this.options.onProblem(`cannot LISTEN (${(err as Error).message}); retrying`);
      this.scheduleReconnect(client);
    }
  }

  private scheduleReconnect(client: pg.Client): void {
    if (this.stopped || this.reconnectTimer) return;
    if (this.client === client) this.client = null;
    void this.close(client);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connecting = this.connect().finally(() => (this.connecting = null));
    }, this.options.reconnectDelayMs ?? 1000);
    this.reconnectTimer.unref();
  }

  /** Ends a connection we are done with; one that is already broken may fail to end, which changes nothing. */
  private async close(client: pg.Client): Promise<void> {
    client.removeAllListeners('end');
    try {
      await client.end();
    } catch {
      // already closed or broken: nothing left to release
    }
  }
}
