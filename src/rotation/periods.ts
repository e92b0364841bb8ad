import { Temporal } from "@js-temporal/polyfill";
import type { PeriodKind } from "./schema.ts";

const pad = (n: number) => String(n).padStart(2, "0");

/** The period key of a day: ISO week ("2026-W49") or month ("2026-12"). */
export function periodOf(day: Temporal.PlainDate, kind: PeriodKind): string {
  return kind === "weekly" ? `${day.yearOfWeek}-W${pad(day.weekOfYear!)}` : `${day.year}-${pad(day.month)}`;
}

/** The first day of a period key. */
export function periodStart(key: string): Temporal.PlainDate {
  const week = /^(\d{4})-W(\d{2})$/.exec(key);
  if (week) {
    const jan4 = Temporal.PlainDate.from({ year: Number(week[1]), month: 1, day: 4 });
    return jan4.subtract({ days: jan4.dayOfWeek - 1 }).add({ weeks: Number(week[2]) - 1 });
  }
  const month = /^(\d{4})-(\d{2})$/.exec(key);
  if (!month) throw new Error(`not a period: ${key}`);
  return Temporal.PlainDate.from({ year: Number(month[1]), month: Number(month[2]), day: 1 });
}

/** The day after a period's last day. */
export const periodEnd = (key: string) =>
  key.includes("W") ? periodStart(key).add({ weeks: 1 }) : periodStart(key).add({ months: 1 });

/**
 * The `weeks` weekly periods after the current one (today in the pod's time zone), and for monthly roles the
 * months those weeks start in.
 */
export function nextPeriods(now: Date, timeZone: string, weeks: number, kind: PeriodKind): string[] {
  const today = Temporal.Instant.from(now.toISOString()).toZonedDateTimeISO(timeZone).toPlainDate();
  const monday = today.subtract({ days: today.dayOfWeek - 1 }).add({ weeks: 1 });
  const days = Array.from({ length: weeks }, (_, i) => monday.add({ weeks: i }));
  return [...new Set(days.map((day) => periodOf(day, kind)))];
}

export const PERIOD_KEY = /^\d{4}-(W\d{2}|\d{2})$/;
