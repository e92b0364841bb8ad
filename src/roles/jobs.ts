import type { Logger } from "../log/logger.ts";
import type { Pod } from "../pod.ts";
import { timerScale, type PeriodicJob } from "./periodic.ts";

const SWEEP_PERIOD_MS = 60_000;
/** How often the view is re-read from every followed pod, to repair what was missed. */
const RESYNC_PERIOD_MS = 60 * 60_000;

/**
 * The pod's periodic work, each job once per period across all processes: offers and needs whose end has
 * passed expire (followers are told), old inbox records and Deletes of posts never held go, last month's
 * sovereignty report is drafted at the start of a month, rota and decision review reminders go out, and every
 * hour the view is re-read.
 */
export function podJobs(pod: Pod, log: Logger): PeriodicJob[] {
  const sweep = SWEEP_PERIOD_MS / timerScale();
  const every = (name: string, run: () => Promise<void> | void): PeriodicJob => ({
    name,
    periodMs: sweep,
    atStart: true,
    run: async () => run(),
  });
  return [
    every("expire-offers", async () => {
      const expired = await pod.offers.expireDue();
      if (expired > 0) log.info({ expired }, "offers and needs expired");
    }),
    every("prune-received", async () => {
      await pod.confederation.pruneReceived();
      await pod.social.pruneUnheldDeletions();
    }),
    every("draft-sovereignty", async () => {
      await pod.sovereignty.draftFor(pod.deps.now());
    }),
    every("rota-reminders", async () => {
      const reminded = await pod.rotation.reminders.check(pod.deps.now());
      if (reminded > 0) log.info({ reminded }, "rota reminders sent");
    }),
    every("review-reminders", async () => {
      const reminded = await pod.memory.reviews.check(pod.deps.now());
      if (reminded > 0) log.info({ reminded }, "decision review reminders sent");
    }),
    {
      name: "resync",
      periodMs: RESYNC_PERIOD_MS / timerScale(),
      atStart: false,
      run: async () => {
        await pod.confederation.resyncAll();
      },
    },
  ];
}
