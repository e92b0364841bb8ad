import type { Context } from "@fedify/fedify";
import type { EventDispatcher } from "../events/dispatcher.ts";
import type { PodDeps } from "../federation/deps.ts";
import type { MemberReach } from "../members/reach.ts";
import type { PracticesService } from "../practices/service.ts";
import { reviewReminders } from "./review-reminders.ts";
import { memoryService } from "./service.ts";
import { sweepGuideFiles } from "./uploads.ts";

/** The memory room as the pod holds it: the service, and review reminders by private message. */
export function memoryRoom(
  deps: PodDeps,
  contextFor: () => Context<null>,
  events: EventDispatcher,
  practices: PracticesService,
  reach: MemberReach,
) {
  const swept = sweepGuideFiles(deps.db, deps.config.dataDir);
  if (swept.length > 0) deps.log.warn({ files: swept.length }, "memory: removed guide files no upload names");
  const memory = memoryService(deps, contextFor, events, practices);
  const reviews = reviewReminders({ db: deps.db, config: deps.config, memory, reach, log: deps.log });
  return Object.assign(memory, { reviews });
}

export type MemoryRoom = ReturnType<typeof memoryRoom>;
