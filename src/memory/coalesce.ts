/** How often guide changes may re-send the charter to its followers. */
export const CHARTER_REPUBLISH_MS = 10_000;

/**
 * Runs `send` at most once per `everyMs`: the first call sends at once; calls within the window ask for one more
 * send at its end, which reads the state as it is then, so the last change always goes out.
 */
export function coalesced(send: () => Promise<void>, everyMs: number, onError: (error: unknown) => void) {
  let lastAt = Number.NEGATIVE_INFINITY;
  let timer: NodeJS.Timeout | undefined;
  const run = () => {
    lastAt = Date.now();
    return send();
  };
  return {
    async request(): Promise<void> {
      if (timer) return;
      const wait = lastAt + everyMs - Date.now();
      if (wait <= 0) return run();
      timer = setTimeout(() => {
        timer = undefined;
        run().catch(onError);
      }, wait);
    },
    stop: () => clearTimeout(timer),
  };
}
