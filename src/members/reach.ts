import type { Db } from "../db/client.ts";
import { codesService, type Messenger, type Reachable } from "./codes.ts";
import type { Member } from "./model.ts";
import type { MembersService } from "./service.ts";

/**
 * Members as private messages reach them: an active member, their verified fediverse account, and a send.
 * The rotation room's seat reminders and the memory room's review reminders both go through it.
 */
export function memberReach(
  db: Db,
  now: () => Date,
  members: MembersService,
  messenger: Messenger,
  log: { warn(object: object, message: string): void },
) {
  const codes = codesService(db, now, members, messenger, log);
  const active = (id: string): Member | undefined => {
    const member = members.get(id);
    return member && !member.disabledAt ? member : undefined;
  };
  return {
    active,
    /** The active coordinators' ids (those who can act on what the pod decided). */
    coordinators: (): string[] =>
      members
        .list()
        .filter((m) => m.role === "coordinator" && !m.disabledAt)
        .map((m) => m.id),
    /** The member's verified fediverse account, when they are active and linked one. */
    reachable(memberId: string): Reachable | undefined {
      const member = active(memberId);
      return member ? codes.handleOf(member) : undefined;
    },
    send: (to: Reachable, text: string) => messenger.send(to, text),
  };
}

export type MemberReach = ReturnType<typeof memberReach>;

/**
 * A reminder sent once: claimed (recorded) before it is sent, so it goes once even across restarts; one that
 * could not be delivered has its claim released, and the next check tries it again while it is still due.
 * True when it went.
 */
export async function sendOnce(reminder: {
  claim: () => boolean;
  release: () => void;
  send: () => Promise<void>;
  /** Logs the failure (no account, address or error text: that would tie a member to their account). */
  failed: () => void;
}): Promise<boolean> {
  if (!reminder.claim()) return false;
  try {
    await reminder.send();
    return true;
  } catch {
    reminder.failed();
    reminder.release();
    return false;
  }
}
