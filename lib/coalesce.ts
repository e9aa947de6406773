/**
 * A task that runs one at a time. A call while it runs asks for exactly one more run after the
 * current one and gets the promise of the run in progress, which settles after that extra run — so
 * any number of triggers during a run cost one more run, and a later run never overtakes an earlier.
 */
export function coalesced(run: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  let again = false;
  return () => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await run();
        } while (again);
      } finally {
        running = null;
      }
    })();
    return running;
  };
}
