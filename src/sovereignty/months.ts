import { Temporal } from "@js-temporal/polyfill";

export const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
export const DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** The month (YYYY-MM) an instant falls in, in the pod's time zone. */
export function monthIn(instant: Date, zone: string): string {
  return Temporal.Instant.fromEpochMilliseconds(instant.getTime())
    .toZonedDateTimeISO(zone)
    .toPlainDate()
    .toString()
    .slice(0, 7);
}

/** The day (YYYY-MM-DD) an instant falls on, in the pod's time zone. */
export function dayIn(instant: Date, zone: string): string {
  return Temporal.Instant.fromEpochMilliseconds(instant.getTime()).toZonedDateTimeISO(zone).toPlainDate().toString();
}

export function addMonths(month: string, delta: number): string {
  return Temporal.PlainYearMonth.from(month).add({ months: delta }).toString();
}

/** The month's first instant and the next month's, in the zone, with the zone's offset (for vf:hasBeginning/End). */
export function monthBounds(month: string, zone: string): { start: string; end: string } {
  const at = (m: string) =>
    Temporal.PlainDate.from(`${m}-01`).toZonedDateTime({ timeZone: zone }).toString({ timeZoneName: "never" });
  return { start: at(month), end: at(addMonths(month, 1)) };
}

/** A real calendar day (not 2026-02-30). */
export function isDay(value: string): boolean {
  if (!DAY.test(value)) return false;
  try {
    Temporal.PlainDate.from(value, { overflow: "reject" });
    return true;
  } catch {
    return false;
  }
}
