import { Temporal } from "@js-temporal/polyfill";

/** Today in the pod's calendar (review days are calendar days there). */
export const podToday = (now: Date, timeZone: string) =>
  Temporal.Instant.fromEpochMilliseconds(now.getTime()).toZonedDateTimeISO(timeZone).toPlainDate().toString();
