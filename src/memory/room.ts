import { roomsOf } from "../db/room-db.ts";
import type { Context } from "@fedify/fedify";
import type { EventDispatcher } from "../events/dispatcher.ts";
import type { PodDeps } from "../federation/deps.ts";
import type { MemberReach } from "../members/reach.ts";
import type { PracticesService } from "../practices/service.ts";
import { reviewReminders } from "./review-reminders.ts";
import { memoryService } from "./service.ts";
import { replaceOwnEntries } from "./view-projection.ts";

/** The memory room as the pod holds it: the service, and review reminders by private message. */
export function memoryRoom(
  deps: PodDeps,
  contextFor: () => Context<null>,
  events: EventDispatcher,
  practices: PracticesService,
  reach: MemberReach,
) {
  // The guide links' change counter (triggers of migration 0038, migrations-pg 0006), from the pod's database.
  const memory = memoryService(deps, contextFor, events, practices, roomsOf(deps).version("guides"));
  const reviews = reviewReminders({ config: deps.config, memory, reach, log: deps.log });
  /** Before the pod serves: stray guide files go, the guide links load, public entries are put in the view. */
  async function start(): Promise<void> {
    const swept = await memory.uploads.sweep();
    if (swept.length > 0) deps.log.warn({ files: swept.length }, "memory: removed guide files no upload names");
    await memory.load();
    await replaceOwnEntries(deps, (db) => memory.publishedWithin(db, 1000));
  }
  return Object.assign(memory, { reviews, start });
}

export type MemoryRoom = ReturnType<typeof memoryRoom>;
