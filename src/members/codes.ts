import { createHash, randomInt, timingSafeEqual } from "node:crypto";
import { uuidv7 } from "uuidv7";
import type { RoomDb } from "../db/room-db.ts";
import { credentialsStore, type MemberHandle, type OneTimeCode } from "./credentials-store.ts";
import type { Member } from "./model.ts";
import type { CodePurpose } from "./schema.ts";
import { FormError, type MembersService } from "./service.ts";

export const CODE_TTL_MS = 10 * 60_000;
/** Wrong guesses a code survives; at this many it is gone and a new one must be asked for. */
export const CODE_ATTEMPTS = 5;

/** Where a fediverse account receives private messages (see social/direct-message.ts). */
export interface Reachable {
  handle: string;
  actorIri: string;
  inbox: string;
}
export interface Messenger {
  resolve(handle: string): Promise<Reachable>;
  send(to: Reachable, text: string): Promise<void>;
}

/** Why a code was not accepted (the sign-in page shows one answer for all, so nothing tells a code was sent). */
export type CodeProblem = "code.wrong" | "code.expired" | "code.tooMany";

/** `user@host` in lowercase without the leading @, or null when it is not a handle. */
export function normalHandle(input: string): string | null {
  const match = /^@?([^@\s/]+)@([^@\s/]+)$/.exec(input.trim());
  return match ? `${match[1]}@${match[2]}`.toLowerCase() : null;
}

const hashCode = (id: string, code: string) => createHash("sha256").update(`${id}:${code}`).digest("hex");
const newCode = () => String(randomInt(0, 100_000_000)).padStart(8, "0");

/**
 * One-time codes sent as a private message to a member's fediverse account: to prove the account is theirs (link) and,
 * once it is, to sign in with it. Codes expire, survive a few wrong guesses, work once, and are kept only hashed.
 */
/**
 * What the operator needs to see when a code cannot be delivered: which server and what kind of failure. Not the
 * account, nor the error's text (it often quotes the inbox's address): the log would tie a member to their account.
 */
function undelivered(actorIri: string, error: unknown) {
  return { server: new URL(actorIri).host, failure: error instanceof Error ? error.name : typeof error };
}

export function codesService(
  rooms: RoomDb,
  now: () => Date,
  members: MembersService,
  messenger: Messenger,
  log: { warn(object: object, message: string): void },
) {
  const store = credentialsStore(rooms);
  const iso = () => now().toISOString();

  async function makeCode(member: Member, purpose: CodePurpose, to: Reachable, boundTo: string): Promise<string> {
    const code = newCode();
    const row: OneTimeCode = {
      id: uuidv7(),
      boundTo,
      memberId: member.id,
      purpose,
      codeHash: "",
      attempts: 0,
      handle: to.handle,
      actorIri: to.actorIri,
      inbox: to.inbox,
      expiresAt: new Date(now().getTime() + CODE_TTL_MS).toISOString(),
    };
    await rooms.write((db) => store.putCode(db, { ...row, codeHash: hashCode(row.id, code) }, iso()));
    return code;
  }

  /**
   * Checks a typed code against the one this browser asked for: each guess is counted before it is compared (so
   * guesses sent at once get no more than CODE_ATTEMPTS comparisons between them); used up when right.
   */
  async function take(boundTo: string, purpose: CodePurpose, typed: string): Promise<OneTimeCode | CodeProblem> {
    const at = iso();
    const spent = await rooms.write(async (db) => {
      const row = await store.spendGuess(db, boundTo, purpose, CODE_ATTEMPTS, at);
      if (row) return row;
      // No guess left, expired, or none: a code that can no longer be used goes.
      const stale = await store.codeFor(db, boundTo, purpose);
      if (!stale) return "code.wrong";
      await store.deleteCode(db, stale.id);
      return stale.expiresAt <= at ? "code.expired" : "code.tooMany";
    });
    if (typeof spent === "string") return spent;
    const given = Buffer.from(hashCode(spent.id, typed.replace(/\s+/g, "")));
    if (!timingSafeEqual(given, Buffer.from(spent.codeHash))) {
      if (spent.attempts >= CODE_ATTEMPTS) await rooms.write((db) => store.deleteCode(db, spent.id));
      return "code.wrong";
    }
    return (await rooms.write((db) => store.useCode(db, spent.id))) ? spent : "code.wrong";
  }

  async function sendSignInCode(input: string, boundTo: string, message: (code: string) => string) {
    const handle = normalHandle(input);
    const memberId = handle
      ? await rooms.read((db) => store.memberOfHandle(db, handle))
      : (await members.byUsername(input.trim().toLowerCase()))?.id;
    const member = memberId ? await members.get(memberId) : undefined;
    const linked = member && !member.disabledAt ? await rooms.read((db) => store.handleOf(db, member.id)) : undefined;
    if (!member || !linked) return;
    const code = await makeCode(member, "sign-in", linked, boundTo);
    await members.audit(member.id, "member.sign-in-code", linked.handle);
    await messenger
      .send(linked, message(code))
      .catch((error: unknown) =>
        log.warn(undelivered(linked.actorIri, error), "the sign-in code could not be delivered"),
      );
  }

  return {
    handleOf: (member: Member): Promise<MemberHandle | undefined> => rooms.read((db) => store.handleOf(db, member.id)),

    /** The handle a link code was sent to for this session, while it can still be typed. */
    async pendingLink(boundTo: string): Promise<string | undefined> {
      const row = await rooms.read((db) => store.codeFor(db, boundTo, "link"));
      return row && row.expiresAt > iso() && row.attempts < CODE_ATTEMPTS ? row.handle : undefined;
    },

    /** Finds the account and sends it a code; the member types it back to prove the account is theirs. */
    async startLink(member: Member, input: string, boundTo: string, message: (code: string) => string) {
      const handle = normalHandle(input);
      if (!handle) throw new FormError("handle", "handle.invalid");
      const owner = await rooms.read((db) => store.memberOfHandle(db, handle));
      if (owner && owner !== member.id) throw new FormError("handle", "handle.taken");
      const to = await messenger.resolve(handle).catch(() => null);
      if (!to) throw new FormError("handle", "handle.notFound");
      const code = await makeCode(member, "link", { ...to, handle }, boundTo);
      try {
        await messenger.send({ ...to, handle }, message(code));
      } catch (error) {
        log.warn(undelivered(to.actorIri, error), "the verification code could not be delivered");
        throw new FormError("handle", "handle.notDelivered");
      }
      await members.audit(member.id, "member.handle-code", handle);
      return handle;
    },

    async finishLink(member: Member, boundTo: string, typed: string): Promise<void> {
      const taken = await take(boundTo, "link", typed);
      if (typeof taken === "string") throw new FormError("code", taken);
      if (taken.memberId !== member.id) throw new FormError("code", "code.wrong");
      const row = {
        memberId: member.id,
        handle: taken.handle,
        actorIri: taken.actorIri,
        inbox: taken.inbox,
        verifiedAt: iso(),
      };
      await rooms.write((db) => store.setHandle(db, row));
      await members.audit(member.id, "member.handle-verified", taken.handle);
    },

    async unlink(member: Member): Promise<void> {
      await rooms.write((db) => store.removeHandle(db, member.id));
      await members.audit(member.id, "member.handle-removed");
    },

    /**
     * "Send me a code": when the handle or username is a member's with a verified handle, a code goes to that
     * account. The caller learns nothing either way, not even from the time it takes: the caller does not wait for
     * it (the lookups, the code and the delivery run after the answer). The promise never rejects.
     */
    requestSignIn(input: string, boundTo: string, message: (code: string) => string): Promise<void> {
      return sendSignInCode(input, boundTo, message).catch((error: unknown) =>
        log.warn({ failure: error instanceof Error ? error.name : typeof error }, "a sign-in code could not be made"),
      );
    },

    /** The member a right code signs in, or why not. */
    async signIn(boundTo: string, typed: string): Promise<Member | CodeProblem> {
      const taken = await take(boundTo, "sign-in", typed);
      if (typeof taken === "string") return taken;
      const member = await members.get(taken.memberId);
      return member && !member.disabledAt ? member : "code.wrong";
    },
  };
}

export type CodesService = ReturnType<typeof codesService>;
