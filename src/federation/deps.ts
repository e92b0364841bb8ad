import type { Federation } from "@fedify/fedify";
import type { Config } from "../config/schema.ts";
import type { RoomDb } from "../db/room-db.ts";
import type { Logger } from "../log/logger.ts";

/** What every room needs: the settings, the database (SQLite or PostgreSQL, through the RoomDb), the log and the clock. */
export interface PodDeps {
  config: Config;
  rooms: RoomDb;
  log: Logger;
  /** The current time; tests pass a controllable clock. */
  now: () => Date;
}

/** The pod keeps no per-request context data: rooms receive PodDeps explicitly. */
export type PodFederation = Federation<null>;

import { Temporal as Polyfill } from "@js-temporal/polyfill";

/**
 * Fedify's types name the global `Temporal`, but Node 24 has none at run time and Fedify itself uses
 * the polyfill; these two helpers make polyfill values and hand them over with the global type.
 */
export function toInstant(date: Date): Temporal.Instant {
  return Polyfill.Instant.fromEpochMilliseconds(date.getTime()) as unknown as Temporal.Instant;
}

export function durationMs(duration: Temporal.Duration | Temporal.DurationLike | undefined): number {
  if (!duration) return 0;
  return Polyfill.Duration.from(duration as Polyfill.DurationLike).total({ unit: "millisecond" });
}
