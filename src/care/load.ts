import { Temporal } from "@js-temporal/polyfill";
import { periodEnd, periodOf, periodStart } from "../rotation/periods.ts";

export interface LoadSettings {
  windowWeeks: number;
  busySeats: number;
  restAfter: number;
  lateHours: number;
}

export const DEFAULT_LOAD_SETTINGS: LoadSettings = { windowWeeks: 8, busySeats: 6, restAfter: 4, lateHours: 48 };

export interface LoadInput {
  /** Published seats the member holds: a weekly ("2026-W49") or monthly ("2026-12") period and the role. */
  seats: { period: string; roleId: string }[];
  /** Seats the member gave up: the seat's period and when they gave it up (an instant). */
  dropOuts: { period: string; at: string }[];
  now: Date;
  timeZone: string;
  settings: LoadSettings;
}

export type LoadReason = "busy" | "noRest" | "sameRole" | "dropOuts";

export interface LoadSignals {
  /** Seats whose period has started and overlaps the last `windowWeeks` weeks (this week included). */
  seatsRecent: number;
  /** The longest run of consecutive periods in one role that reaches the current period. */
  consecutive: number;
  /** Seats given up within the window less than `lateHours` before their period started (or after). */
  lateDropOuts: number;
  /** Weeks in a row, up to this week, with at least one seat (a monthly seat fills every week it touches). */
  withoutRest: number;
  /** Why the pod suggests rest and a circle; empty: no suggestion. */
  reasons: LoadReason[];
}

const LATE_DROP_OUTS = 2;

/** The load signals of one member. Periods are read in the pod's time zone. */
export function loadSignals({ seats, dropOuts, now, timeZone, settings }: LoadInput): LoadSignals {
  const today = Temporal.Instant.from(now.toISOString()).toZonedDateTimeISO(timeZone).toPlainDate();
  const thisMonday = today.subtract({ days: today.dayOfWeek - 1 });
  const windowStart = thisMonday.subtract({ weeks: settings.windowWeeks - 1 });
  const cmp = Temporal.PlainDate.compare;
  const started = seats.filter((s) => cmp(periodStart(s.period), today) <= 0);

  const seatsRecent = started.filter((s) => cmp(periodEnd(s.period), windowStart) > 0).length;

  let consecutive = 0;
  for (const roleId of new Set(started.map((s) => s.roleId))) {
    const held = new Set(started.filter((s) => s.roleId === roleId).map((s) => s.period));
    const weekly = [...held][0]!.includes("W");
    let day = today;
    let run = 0;
    while (held.has(periodOf(day, weekly ? "weekly" : "monthly")) && run < 1000) {
      run++;
      day = weekly ? day.subtract({ weeks: 1 }) : day.subtract({ months: 1 });
    }
    consecutive = Math.max(consecutive, run);
  }

  const busy = (monday: Temporal.PlainDate) => {
    const sunday = monday.add({ days: 6 });
    return started.some((s) => cmp(periodStart(s.period), sunday) <= 0 && cmp(periodEnd(s.period), monday) > 0);
  };
  let withoutRest = 0;
  while (withoutRest < 1000 && busy(thisMonday.subtract({ weeks: withoutRest }))) withoutRest++;

  const since = Temporal.PlainDateTime.from(windowStart.toString()).toZonedDateTime(timeZone).toInstant();
  const lateDropOuts = dropOuts.filter((d) => {
    const at = Temporal.Instant.from(d.at);
    const begins = Temporal.PlainDateTime.from(periodStart(d.period).toString()).toZonedDateTime(timeZone).toInstant();
    const lateFrom = begins.subtract({ hours: settings.lateHours });
    return Temporal.Instant.compare(at, since) >= 0 && Temporal.Instant.compare(at, lateFrom) > 0;
  }).length;

  const reasons: LoadReason[] = [];
  if (seatsRecent >= settings.busySeats) reasons.push("busy");
  if (withoutRest >= settings.restAfter) reasons.push("noRest");
  if (consecutive >= settings.restAfter) reasons.push("sameRole");
  if (lateDropOuts >= LATE_DROP_OUTS) reasons.push("dropOuts");
  return { seatsRecent, consecutive, lateDropOuts, withoutRest, reasons };
}
