/** What runDetached needs of a logger: Nest's `Logger` fits. */
export interface ErrorLogger {
  error(message: string, stack?: string): void;
}

/**
 * Work that nobody awaits (a timer's lock renewal, a replay started by a socket
 * that just opened) still reports its failure: the rejection is logged as
 * "<what> failed: <message>" with its stack, never dropped and never an
 * unhandled rejection (which would stop the process).
 */
export function runDetached(work: PromiseLike<unknown>, logger: ErrorLogger, what: string): void {
  Promise.resolve(work).catch((err: unknown) => {
    const message = `${what} failed: ${err instanceof Error ? err.message : String(err)}`;
    if (err instanceof Error && err.stack) logger.error(message, err.stack);
    else logger.error(message);
  });
}
