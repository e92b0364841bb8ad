import type { Context } from "@fedify/fedify";
import type { PodDeps } from "../federation/deps.ts";
import { codesService } from "../members/codes.ts";
import type { MembersService } from "../members/service.ts";
import { directMessenger } from "../social/direct-message.ts";
import { reminderService } from "./reminders.ts";
import { rotationService } from "./service.ts";

/** The rotation room as the pod holds it: the service, and reminders by private message to linked accounts. */
export function rotationRoom(deps: PodDeps, members: MembersService, contextFor: () => Context<null>) {
  const rota = rotationService(deps.db, deps.now, () => deps.config.timeZone);
  const messenger = directMessenger(deps, contextFor);
  const codes = codesService(deps.db, deps.now, members, messenger, deps.log);
  const active = (id: string) => {
    const member = members.get(id);
    return member && !member.disabledAt ? member : undefined;
  };
  const reachable = (memberId: string) => {
    const member = active(memberId);
    return member ? codes.handleOf(member) : undefined;
  };
  const reminders = reminderService({
    db: deps.db,
    config: deps.config,
    rota,
    member: (id) => {
      const member = active(id);
      return member && { name: member.displayName, locale: member.locale };
    },
    reachable,
    send: messenger.send,
    log: deps.log,
  });
  return Object.assign(rota, { reachable, reminders });
}

export type RotationRoom = ReturnType<typeof rotationRoom>;
