import { roomsOf } from "../db/room-db.ts";
import type { PodDeps } from "../federation/deps.ts";
import type { MemberReach } from "../members/reach.ts";
import { reminderService } from "./reminders.ts";
import { rotationService } from "./service.ts";

/** The rotation room as the pod holds it: the service, and reminders by private message to linked accounts. */
export function rotationRoom(deps: PodDeps, reach: MemberReach) {
  const rota = rotationService(roomsOf(deps), deps.now, () => deps.config.timeZone, deps.log);
  const reminders = reminderService({ config: deps.config, rota, reach, log: deps.log });
  return Object.assign(rota, { reachable: reach.reachable, reminders });
}

export type RotationRoom = ReturnType<typeof rotationRoom>;
