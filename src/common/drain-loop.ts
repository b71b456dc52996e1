/**
 * Runs `pass` until a pass reports nothing more to do. A wake-up while a run is
 * going adds one more pass instead of starting a second run, so NOTIFYs, polls
 * and local wake-ups coalesce. Used by the event processor and the Sheets outbox.
 */
export class DrainLoop {
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  /** `pass` returns true when there may be more work right away. */
  constructor(
    private readonly pass: () => Promise<boolean>,
    private readonly onError: (err: unknown) => void,
  ) {}

  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = null;
    });
  }

  /** Whether a run is going. */
  get busy(): boolean {
    return this.running !== null;
  }

  /** Resolves when no run is going (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** No new runs; resolves when the current one is over. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.idle();
  }

  private async loop(): Promise<void> {
    try {
      let more: boolean;
      do {
        this.again = false;
        more = await this.pass();
      } while (!this.stopped && (more || this.again));
    } catch (err) {
      this.onError(err);
    }
  }
}
