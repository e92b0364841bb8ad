import { createHash } from "node:crypto";
import type { KvStore } from "@fedify/fedify";
import { Update } from "@fedify/vocab";
import { uuidv7 } from "uuidv7";
import type { Config } from "../config/schema.ts";
import { podActor, type ActorFacts } from "./actor.ts";
import type { PodFederation } from "./deps.ts";

const FINGERPRINT_KEY = ["pods", "profile-fingerprint"] as const;

/** The parts of the actor an operator changes through settings. */
function fingerprint(config: Config): string {
  const profile = [config.url.href, config.handle, config.name, config.summary, String(config.approveFollowers)];
  return createHash("sha256").update(JSON.stringify(profile)).digest("hex");
}

/**
 * Tells followers when the pod's name, summary or approval policy changed since the last start:
 * an Update of the actor to the followers collection, with FEP-8fcf followers synchronisation.
 */
export async function announceProfileChanges(federation: PodFederation, kv: KvStore, config: Config, facts: ActorFacts): Promise<boolean> {
  const current = fingerprint(config);
  const previous = await kv.get<string>(FINGERPRINT_KEY);
  if (previous === current) return false;
  await kv.set(FINGERPRINT_KEY, current);
  if (previous === undefined) return false;
  const ctx = federation.createContext(config.url, null);
  const actor = await podActor(ctx, config, facts);
  await ctx.sendActivity(
    { identifier: config.handle },
    "followers",
    new Update({ id: new URL(`#update/${uuidv7()}`, actor.id!), actor: actor.id, object: actor, to: ctx.getFollowersUri(config.handle) }),
    { preferSharedInbox: true, syncCollection: true, orderingKey: actor.id!.href },
  );
  return true;
}
