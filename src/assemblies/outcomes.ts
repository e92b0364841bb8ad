import type { Context } from "@fedify/fedify";
import type { EventDispatcher } from "../events/dispatcher.ts";
import type { PodDeps } from "../federation/deps.ts";
import type { MemoryService } from "../memory/service.ts";
import { minutesRoom } from "./minutes.ts";
import { ratificationRoom } from "./ratification.ts";
import type { AssembliesRoom } from "./room.ts";

/** What an assembly leads to: proposals each pod ratifies locally, and the convener's minutes. */
export function assemblyOutcomes(
  deps: PodDeps,
  contextFor: () => Context<null>,
  events: EventDispatcher,
  room: AssembliesRoom,
  memory: MemoryService,
) {
  const ratification = ratificationRoom(deps, events, room, memory);
  const minutes = minutesRoom(deps, contextFor, events, room, ratification.proposals);
  return { ratification, minutes };
}

export type AssemblyOutcomes = ReturnType<typeof assemblyOutcomes>;
