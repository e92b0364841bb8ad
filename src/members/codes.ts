import { createHash, randomInt, timingSafeEqual } from "node:crypto";
import { uuidv7 } from "uuidv7";
import type { Db } from "../db/client.ts";
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
  db: Db,
  now: () => Date,
  members: MembersService,
  messenger: Messenger,
  log: { warn(object: object, message: string): void },
) {
  const store = credentialsStore(db);
  const iso = () => now().toISOString();

  function makeCode(member: Member, purpose: CodePurpose, to: Reachable, boundTo: string): string {
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
    store.putCode({ ...row, codeHash: hashCode(row.id, code) }, iso());
    return code;
  }

  /** Checks a typed code against the one this browser asked for; used up when right, counted when wrong. */
  function take(boundTo: string, purpose: CodePurpose, typed: string): OneTimeCode | CodeProblem {
    const row = store.codeFor(boundTo, purpose);
    if (!row) return "code.wrong";
    if (row.expiresAt <= iso()) {
      store.deleteCode(row.id);
      return "code.expired";
    }
    if (row.attempts >= CODE_ATTEMPTS) {
      store.deleteCode(row.id);
      return "code.tooMany";
    }
    const given = Buffer.from(hashCode(row.id, typed.replace(/\s+/g, "")));
    if (!timingSafeEqual(given, Buffer.from(row.codeHash))) {
      store.countWrongCode(row.id);
      if (row.attempts + 1 >= CODE_ATTEMPTS) store.deleteCode(row.id);
      return "code.wrong";
    }
    return store.useCode(row.id) ? row : "code.wrong";
  }

  return {
    handleOf: (member: Member): MemberHandle | undefined => store.handleOf(member.id),

    /** The handle a link code was sent to for this session, while it can still be typed. */
    pendingLink(boundTo: string): string | undefined {
      const row = store.codeFor(boundTo, "link");
      return row && row.expiresAt > iso() && row.attempts < CODE_ATTEMPTS ? row.handle : undefined;
    },

    /** Finds the account and sends it a code; the member types it back to prove the account is theirs. */
    async startLink(member: Member, input: string, boundTo: string, message: (code: string) => string) {
      const handle = normalHandle(input);
      if (!handle) throw new FormError("handle", "handle.invalid");
      const owner = store.memberOfHandle(handle);
      if (owner && owner !== member.id) throw new FormError("handle", "handle.taken");
      const to = await messenger.resolve(handle).catch(() => null);
      if (!to) throw new FormError("handle", "handle.notFound");
      const code = makeCode(member, "link", { ...to, handle }, boundTo);
      try {
        await messenger.send({ ...to, handle }, message(code));
      } catch (error) {
        log.warn(undelivered(to.actorIri, error), "the verification code could not be delivered");
        throw new FormError("handle", "handle.notDelivered");
      }
      members.audit(member.id, "member.handle-code", handle);
      return handle;
    },

    finishLink(member: Member, boundTo: string, typed: string): void {
      const taken = take(boundTo, "link", typed);
      if (typeof taken === "string") throw new FormError("code", taken);
      if (taken.memberId !== member.id) throw new FormError("code", "code.wrong");
      store.setHandle({
        memberId: member.id,
        handle: taken.handle,
        actorIri: taken.actorIri,
        inbox: taken.inbox,
        verifiedAt: iso(),
      });
      members.audit(member.id, "member.handle-verified", taken.handle);
    },

    unlink(member: Member) {
      store.removeHandle(member.id);
      members.audit(member.id, "member.handle-removed");
    },

    /**
     * "Send me a code": when the handle or username is a member's with a verified handle, a code goes to that
     * account. The caller learns nothing either way (the delivery runs after the answer).
     */
    requestSignIn(input: string, boundTo: string, message: (code: string) => string): void {
      const handle = normalHandle(input);
      const memberId = handle ? store.memberOfHandle(handle) : members.store.byUsername(input.trim().toLowerCase())?.id;
      const member = memberId ? members.get(memberId) : undefined;
      const linked = member && !member.disabledAt ? store.handleOf(member.id) : undefined;
      if (!member || !linked) return;
      const code = makeCode(member, "sign-in", linked, boundTo);
      members.audit(member.id, "member.sign-in-code", linked.handle);
      messenger
        .send(linked, message(code))
        .catch((error: unknown) =>
          log.warn(undelivered(linked.actorIri, error), "the sign-in code could not be delivered"),
        );
    },

    /** The member a right code signs in, or why not. */
    signIn(boundTo: string, typed: string): Member | CodeProblem {
      const taken = take(boundTo, "sign-in", typed);
      if (typeof taken === "string") return taken;
      const member = members.get(taken.memberId);
      return member && !member.disabledAt ? member : "code.wrong";
    },
  };
}

export type CodesService = ReturnType<typeof codesService>;
