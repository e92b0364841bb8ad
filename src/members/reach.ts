import type { RoomDb } from "../db/room-db.ts";
import type { Messenger, Reachable } from "./codes.ts";
import { credentialsStore } from "./credentials-store.ts";
import type { Member } from "./model.ts";
import type { MembersService } from "./service.ts";

/** Who is active and where each is reached, as read at one moment (for a round of reminders). */
export interface People {
  active(id: string): Member | undefined;
  /** The active coordinators' ids (those who can act on what the pod decided). */
  coordinators(): string[];
  /** The member's verified fediverse account, when they are active and linked one. */
  reachable(memberId: string): Reachable | undefined;
}

/**
 * Members as private messages reach them: an active member, their verified fediverse account, and a send.
 * The rotation room's seat reminders and the memory room's review reminders both go through it.
 */
export function memberReach(rooms: RoomDb, members: MembersService, messenger: Messenger) {
  const store = credentialsStore(rooms);
  return {
    /** Everyone at once (two queries), for a round of reminders that asks about each member in turn. */
    async people(): Promise<People> {
      const [all, linked] = await Promise.all([members.list(), rooms.read((db) => store.allHandles(db))]);
      const active = new Map(all.filter((m) => !m.disabledAt).map((m) => [m.id, m]));
      const handles = new Map(linked.map((h) => [h.memberId, h]));
      return {
        active: (id) => active.get(id),
        coordinators: () => [...active.values()].filter((m) => m.role === "coordinator").map((m) => m.id),
        reachable: (id) => (active.has(id) ? handles.get(id) : undefined),
      };
    },
    /** The member's verified fediverse account, when they are active and linked one. */
    async reachable(memberId: string): Promise<Reachable | undefined> {
      const member = await members.get(memberId);
      return member && !member.disabledAt ? rooms.read((db) => store.handleOf(db, memberId)) : undefined;
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
  claim: () => boolean | Promise<boolean>;
  release: () => unknown;
  send: () => Promise<void>;
  /** Logs the failure (no account, address or error text: that would tie a member to their account). */
  failed: () => void;
}): Promise<boolean> {
  if (!(await reminder.claim())) return false;
  try {
    await reminder.send();
    return true;
  } catch {
    reminder.failed();
    await reminder.release();
    return false;
  }
}
