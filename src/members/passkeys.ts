import type {
  AuthenticationResponseJSON,
  AuthenticatorTransport,
  RegistrationResponseJSON,
} from "@simplewebauthn/server";
import type { RoomDb } from "../db/room-db.ts";
import { credentialsStore, type Passkey } from "./credentials-store.ts";
import type { Member } from "./model.ts";
import { FormError, type MembersService } from "./service.ts";

/** The pod as a WebAuthn relying party: its host name is the RP ID, its origin the only origin accepted. */
export interface RelyingParty {
  id: string;
  origin: string;
  name: string;
}

/** How long a challenge waits for the browser's answer. */
export const CHALLENGE_TTL_MS = 5 * 60_000;

/**
 * The WebAuthn library is loaded on the first passkey request: with the ASN.1 and X.509 code it brings it is about
 * 300 modules, an eighth of what a pod loads at start, for something used at sign-in only.
 */
const webauthn = () => import("@simplewebauthn/server");

const toBase64Url = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");
const fromBase64Url = (text: string) => new Uint8Array(Buffer.from(text, "base64url"));

/** Passkeys: adding and removing them (signed in) and signing in with one. */
export function passkeysService(rooms: RoomDb, now: () => Date, rp: RelyingParty, members: MembersService) {
  const store = credentialsStore(rooms);
  const iso = () => now().toISOString();
  const expiry = () => new Date(now().getTime() + CHALLENGE_TTL_MS).toISOString();

  /** The challenge bound to this session or attempt, taken out so it can never be answered twice. */
  async function takeChallenge(boundTo: string, purpose: "passkey-add" | "passkey-sign-in"): Promise<string | null> {
    const row = await rooms.write((db) => store.takeChallenge(db, boundTo));
    if (!row || row.purpose !== purpose || row.expiresAt <= iso()) return null;
    return row.challenge;
  }

  return {
    list: (member: Member): Promise<Passkey[]> => rooms.read((db) => store.passkeysOf(db, member.id)),

    async registrationOptions(member: Member, sessionHash: string) {
      const existing = await rooms.read((db) => store.passkeysOf(db, member.id));
      const options = await (await webauthn()).generateRegistrationOptions({
        rpName: rp.name,
        rpID: rp.id,
        userName: member.username,
        userDisplayName: member.displayName,
        userID: new TextEncoder().encode(member.id),
        attestationType: "none",
        excludeCredentials: existing.map((p) => ({
          id: p.id,
          transports: p.transports ? (p.transports.split(",") as AuthenticatorTransport[]) : undefined,
        })),
        authenticatorSelection: { residentKey: "required", userVerification: "preferred" },
      });
      const boundTo = `add:${sessionHash}`;
      const row = { boundTo, purpose: "passkey-add" as const, challenge: options.challenge, expiresAt: expiry() };
      await rooms.write((db) => store.putChallenge(db, row, iso()));
      return options;
    },

    async add(member: Member, sessionHash: string, label: string, response: RegistrationResponseJSON) {
      const name = label.trim().slice(0, 100);
      if (!name) throw new FormError("label", "error.required");
      const challenge = await takeChallenge(`add:${sessionHash}`, "passkey-add");
      if (!challenge) throw new FormError("passkey", "passkey.expired");
      const verified = await (await webauthn())
        .verifyRegistrationResponse({
          response,
          expectedChallenge: challenge,
          expectedOrigin: rp.origin,
          expectedRPID: rp.id,
          requireUserVerification: false,
        })
        .catch(() => null);
      if (!verified?.verified) throw new FormError("passkey", "passkey.refused");
      const { credential } = verified.registrationInfo;
      const row = {
        id: credential.id,
        memberId: member.id,
        label: name,
        publicKey: toBase64Url(credential.publicKey),
        counter: credential.counter,
        transports: (credential.transports ?? []).join(","),
        createdAt: iso(),
        lastUsedAt: null,
      };
      if (!(await rooms.write((db) => store.insertPasskey(db, row)))) throw new FormError("passkey", "passkey.refused");
      await members.audit(member.id, "passkey.add", credential.id);
    },

    async remove(member: Member, id: string): Promise<void> {
      if (await rooms.write((db) => store.removePasskey(db, member.id, id))) {
        await members.audit(member.id, "passkey.remove", id);
      }
    },

    /** Options for a sign-in attempt (any of the pod's passkeys: the authenticator offers its own). */
    async signInOptions(attemptHash: string) {
      const options = await (await webauthn()).generateAuthenticationOptions({
        rpID: rp.id,
        userVerification: "preferred",
      });
      const boundTo = `sign-in:${attemptHash}`;
      const row = { boundTo, purpose: "passkey-sign-in" as const, challenge: options.challenge, expiresAt: expiry() };
      await rooms.write((db) => store.putChallenge(db, row, iso()));
      return options;
    },

    /** The member this answer proves, or null: unknown or removed passkey, reused challenge, replayed counter. */
    async signIn(attemptHash: string, response: AuthenticationResponseJSON): Promise<Member | null> {
      const challenge = await takeChallenge(`sign-in:${attemptHash}`, "passkey-sign-in");
      const id = response?.id;
      const passkey = typeof id === "string" ? await rooms.read((db) => store.passkey(db, id)) : undefined;
      if (!challenge || !passkey) return null;
      const member = await members.get(passkey.memberId);
      if (!member || member.disabledAt) return null;
      const verified = await (await webauthn())
        .verifyAuthenticationResponse({
          response,
          expectedChallenge: challenge,
          expectedOrigin: rp.origin,
          expectedRPID: rp.id,
          credential: {
            id: passkey.id,
            publicKey: fromBase64Url(passkey.publicKey),
            counter: passkey.counter,
            transports: passkey.transports ? (passkey.transports.split(",") as AuthenticatorTransport[]) : [],
          },
          requireUserVerification: false,
        })
        .catch(() => null);
      if (!verified?.verified) return null;
      // The library refuses a counter that did not grow; the conditional update refuses two answers racing.
      const { newCounter } = verified.authenticationInfo;
      if (!(await rooms.write((db) => store.usePasskey(db, passkey.id, passkey.counter, newCounter, iso()))))
        return null;
      await members.audit(member.id, "passkey.sign-in", passkey.id);
      return member;
    },
  };
}

export type PasskeysService = ReturnType<typeof passkeysService>;
