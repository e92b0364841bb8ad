import { Temporal } from "@js-temporal/polyfill";
import rrule from "rrule";

const { rrulestr } = rrule;

export const WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"] as const;
export type Weekday = (typeof WEEKDAYS)[number];
/** Which weekday of the month for a monthly circle: 1st..4th, or -1 the last. */
export const MONTH_WEEKS = ["1", "2", "3", "4", "-1"] as const;

export const FREQUENCIES = ["weekly", "monthly"] as const;

export interface Recurrence {
  frequency: (typeof FREQUENCIES)[number];
  weekday: Weekday;
  /** For monthly circles. */
  week?: (typeof MONTH_WEEKS)[number];
  /** Local wall-clock time "HH:MM". */
  time: string;
  /** The local day from which it recurs. */
  from: Temporal.PlainDate;
}

const compact = (s: string) => s.replace(/[-:]/g, "");

/** An iCalendar DTSTART (floating local time) + RRULE, e.g. "DTSTART:20261013T190000\nRRULE:FREQ=WEEKLY;BYDAY=TU". */
export function toRule(r: Recurrence): string {
  const start = `${compact(r.from.toString())}T${compact(r.time)}00`;
  const rule =
    r.frequency === "weekly"
      ? `FREQ=WEEKLY;BYDAY=${r.weekday}`
      : `FREQ=MONTHLY;BYDAY=${r.weekday};BYSETPOS=${r.week ?? "1"}`;
  return `DTSTART:${start}\nRRULE:${rule}`;
}

/** The form's values back from a stored rule (for the edit form and the one-line description). */
export function fromRule(rule: string): Recurrence {
  const start = /DTSTART:(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})/.exec(rule)!;
  const weekday = /BYDAY=(\w\w)/.exec(rule)![1] as Weekday;
  const week = /BYSETPOS=(-?\d)/.exec(rule)?.[1] as Recurrence["week"];
  return {
    frequency: rule.includes("FREQ=MONTHLY") ? "monthly" : "weekly",
    weekday,
    week,
    time: `${start[4]}:${start[5]}`,
    from: Temporal.PlainDate.from(`${start[1]}-${start[2]}-${start[3]}`),
  };
}

/**
 * The occurrences (instants, ISO) between two instants. rrule works on floating times (read as UTC); each is then
 * placed in the pod's time zone, so a 19:00 circle is at 19:00 local before and after a daylight-saving change.
 */
export function occurrences(rule: string, timeZone: string, from: Date, to: Date, limit = 100): string[] {
  const toFloating = (d: Date) =>
    new Date(`${Temporal.Instant.from(d.toISOString()).toZonedDateTimeISO(timeZone).toPlainDateTime().toString()}Z`);
  const out: string[] = [];
  const local = rrulestr(rule).between(toFloating(from), toFloating(to), true, (_, i) => i < limit);
  for (const floating of local) {
    const wall = Temporal.PlainDateTime.from(floating.toISOString().slice(0, 19));
    const instant = wall.toZonedDateTime(timeZone, { disambiguation: "later" }).toInstant();
    out.push(instant.toString());
  }
  return out;
}
