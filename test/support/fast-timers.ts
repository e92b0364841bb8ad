/**
 * A clock seam for tests of a pod process's periodic work, loaded into the pod with
 * `NODE_OPTIONS=--import <this file>` (see fastTimersEnv). Intervals of a minute or more (the expiry
 * sweep, and through it the hourly resync) run POD_TEST_TIMER_SCALE times faster; shorter timers (queue
 * polling, lease renewal) are left alone. For tests only: nothing in the pod reads this variable.
 */
const scale = Number(process.env.POD_TEST_TIMER_SCALE);
if (Number.isFinite(scale) && scale > 1) {
  const original = globalThis.setInterval;
  const scaled = (handler: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) =>
    original(handler, ms !== undefined && ms >= 60_000 ? Math.round(ms / scale) : ms, ...args);
  globalThis.setInterval = scaled as typeof globalThis.setInterval;
}
