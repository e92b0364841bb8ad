import { Temporal } from "@js-temporal/polyfill";
import type { Config } from "../config/schema.ts";
import { sendOnce, type MemberReach, type People } from "../members/reach.ts";
import { translator } from "../webapp/i18n/index.ts";
import { periodStart } from "./periods.ts";
import type { Role } from "./service.ts";
import type { RotationService } from "./service.ts";

const DAY_MS = 86_400_000;
/** A handoff's reminder goes at its time, or up to this long after (a pod that was down catches up a little). */
const HANDOFF_WINDOW_MS = 60 * 60_000;

export interface ReminderDeps {
  config: Config;
  rota: RotationService;
  /** Active members and their verified fediverse accounts (shared with the memory room's review reminders). */
  reach: Pick<MemberReach, "people" | "send">;
  log: { warn(object: object, message: string): void };
}

type Due = { subjectId: string; memberId: string; kind: "seat" | "handoff"; text: (locale: "en" | "es") => string };

/**
 * Reminders as private messages to members' verified fediverse accounts: a day before each seat's period starts
 * and at each handoff's time (both holders). Each is recorded before it is sent, so it goes once even across
 * restarts; one that could not be delivered is forgotten and tried again by the next check, while still due.
 */
export function reminderService({ config, rota, reach, log }: ReminderDeps) {
  const member = (people: People, id: string) => {
    const found = people.active(id);
    return found && { name: found.displayName, locale: found.locale };
  };
  const link = new URL("/app/rota/mine", config.url).href;
  const zone = config.timeZone;
  const when = (locale: "en" | "es", instant: Temporal.Instant) =>
    new Intl.DateTimeFormat(locale, { dateStyle: "full", timeStyle: "short", timeZone: zone }).format(
      new Date(instant.epochMilliseconds),
    );

  async function due(now: Date, people: People): Promise<Due[]> {
    const at = now.getTime();
    const out: Due[] = [];
    const [[seats, handoffs], roles] = await Promise.all([rota.remindable(), rota.roles()]);
    const byId = new Map<string, Role>(roles.map((r) => [r.id, r]));
    const roleName = (id: string) => byId.get(id)?.name ?? "";
    for (const seat of seats) {
      const start = periodStart(seat.period).toZonedDateTime({ timeZone: zone }).toInstant();
      if (at < start.epochMilliseconds - DAY_MS || at >= start.epochMilliseconds) continue;
      out.push({
        subjectId: seat.id,
        memberId: seat.memberId!,
        kind: "seat",
        text: (locale) =>
          translator(locale)(seat.shadow ? "rota.reminder.shadow" : "rota.reminder.seat", {
            pod: config.name,
            role: roleName(seat.roleId),
            period: seat.period,
            start: when(locale, start),
            zone,
            link,
          }),
      });
    }
    for (const handoff of handoffs) {
      const time = Temporal.Instant.from(handoff.at!);
      if (at < time.epochMilliseconds || at >= time.epochMilliseconds + HANDOFF_WINDOW_MS) continue;
      for (const [memberId, other] of [
        [handoff.outgoingId, handoff.incomingId],
        [handoff.incomingId, handoff.outgoingId],
      ] as const) {
        out.push({
          subjectId: handoff.id,
          memberId,
          kind: "handoff",
          // Only this member reads it, privately: it may name the other holder.
          text: (locale) => {
            const t = translator(locale);
            return t("rota.reminder.handoff", {
              pod: config.name,
              role: roleName(handoff.roleId),
              name: member(people, other)?.name ?? "",
              at: when(locale, time),
              zone,
              place: handoff.place || t("rota.reminder.noPlace"),
              link,
            });
          },
        });
      }
    }
    return out;
  }

  return {
    /** Sends what is due at `now` and not sent before; returns how many went. */
    async check(now: Date): Promise<number> {
      await rota.growSkills(now);
      let sent = 0;
      const people = await reach.people();
      for (const reminder of await due(now, people)) {
        const person = member(people, reminder.memberId);
        const to = person && people.reachable(reminder.memberId);
        if (!person || !to) continue;
        const key = { subjectId: reminder.subjectId, memberId: reminder.memberId, kind: reminder.kind };
        const went = await sendOnce({
          claim: () => rota.claimReminder(key, now.toISOString()),
          release: () => rota.releaseReminder(key),
          send: () => reach.send(to, reminder.text(person.locale === "es" ? "es" : "en")),
          failed: () =>
            log.warn(
              { reminder: reminder.kind, subject: reminder.subjectId },
              "a rota reminder could not be delivered",
            ),
        });
        if (went) sent++;
      }
      return sent;
    },
  };
}

export type ReminderService = ReturnType<typeof reminderService>;
