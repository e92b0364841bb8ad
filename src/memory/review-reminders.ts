import type { Config } from "../config/schema.ts";
import { sendOnce, type MemberReach } from "../members/reach.ts";
import { translator } from "../webapp/i18n/index.ts";
import { podToday } from "./calendar.ts";
import type { MemoryService } from "./service.ts";

interface Deps {
  config: Config;
  memory: Pick<MemoryService, "reviewsDue" | "claimReminder" | "releaseReminder">;
  reach: Pick<MemberReach, "people" | "send">;
  log: { warn(object: object, message: string): void };
}

/**
 * When a decision's review day comes, the members who can act on it get a private message on their verified
 * fediverse account: the coordinators (the pod keeps no member list per deciding group; `decidedBy` is words).
 * Once per decision, review day and member, across restarts; a new review day is reminded anew.
 * A members-only decision is not named: the message leaves the pod, and only the link says where to look.
 */
export function reviewReminders({ config, memory, reach, log }: Deps) {
  return {
    /** Sends what is due at `now` and not sent before; returns how many went. */
    async check(now: Date): Promise<number> {
      let sent = 0;
      const people = await reach.people();
      const coordinators = people.coordinators();
      for (const decision of await memory.reviewsDue(podToday(now, config.timeZone))) {
        const reviewOn = decision.reviewOn!;
        for (const memberId of coordinators) {
          const person = people.active(memberId);
          const to = people.reachable(memberId);
          if (!person || !to) continue;
          const t = translator(person.locale === "es" ? "es" : "en");
          const key = { entryId: decision.id, reviewOn, memberId };
          const went = await sendOnce({
            claim: () => memory.claimReminder(key, now),
            release: () => memory.releaseReminder(key),
            send: () =>
              reach.send(
                to,
                t("memory.review.reminder", {
                  pod: config.name,
                  title: decision.visibility === "public" ? decision.title : t("memory.review.internal"),
                  day: reviewOn,
                  link: new URL(`/app/memory/${decision.id}`, config.url).href,
                }),
              ),
            failed: () => log.warn({ decision: decision.id }, "a review reminder could not be delivered"),
          });
          if (went) sent++;
        }
      }
      return sent;
    },
  };
}

export type ReviewReminders = ReturnType<typeof reviewReminders>;
