import { createHash } from "node:crypto";
import type { Context, KvStore } from "@fedify/fedify";
import { PUBLIC_COLLECTION, Update } from "@fedify/vocab";
import { uuidv7 } from "uuidv7";
import type { Config } from "../config/schema.ts";
import { podActor, type ActorFacts } from "./actor.ts";
import { invalidatePrebuiltDocuments } from "./prebuilt-documents.ts";

const FINGERPRINT_KEY = ["pods", "profile-fingerprint"] as const;

/** The parts of the actor that change: settings (and pictures), and the charter's services shown as profile fields. */
function fingerprint(config: Config, facts: ActorFacts): string {
  const profile = [
    config.url.href,
    config.handle,
    config.name,
    config.summary,
    String(config.approveFollowers),
    facts.services ?? [],
    facts.nextService ?? "",
    // Only when chosen, so a pod without pictures keeps the fingerprint it had (no needless Update).
    ...(config.avatar || config.header ? [config.avatar?.path ?? "", config.header?.path ?? ""] : []),
  ];
  return createHash("sha256").update(JSON.stringify(profile)).digest("hex");
}

/**
 * Tells followers when the actor changed since it was last announced (a new name, summary or approval
 * policy at start, or a charter that changes the profile fields): an Update of the actor, delivered to the
 * followers with FEP-8fcf followers synchronisation. Addressed publicly (to Public, cc followers) as
 * Mastodon does: some servers drop an Update that names none of their recipients, and an actor has none.
 * The very first start only records.
 */
export async function announceProfileChanges(
  ctx: Context<null>,
  kv: KvStore,
  config: Config,
  facts: ActorFacts,
): Promise<boolean> {
  const current = fingerprint(config, facts);
  const previous = await kv.get<string>(FINGERPRINT_KEY);
  if (previous === current) return false;
  await kv.set(FINGERPRINT_KEY, current);
  invalidatePrebuiltDocuments(ctx.federation);
  if (previous === undefined) return false;
  const actor = await podActor(ctx, config, facts);
  await ctx.sendActivity(
    { identifier: config.handle },
    "followers",
    new Update({
      id: new URL(`#update/${uuidv7()}`, actor.id!),
      actor: actor.id,
      object: actor,
      to: PUBLIC_COLLECTION,
      cc: ctx.getFollowersUri(config.handle),
    }),
    { preferSharedInbox: true, syncCollection: true, orderingKey: actor.id!.href },
  );
  return true;
}
