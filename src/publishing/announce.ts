import type { Context } from "@fedify/fedify";
import { Delete, Tombstone, type Activity, type Object as ApObject } from "@fedify/vocab";
import { uuidv7 } from "uuidv7";
import type { Config } from "../config/schema.ts";
import { toInstant } from "../federation/deps.ts";
import { publicAddressing } from "./deliver.ts";
import { PodCreate, PodUpdate } from "./vocab.ts";

export type ChangeVerb = "create" | "update" | "delete";

/**
 * The activity that announces a change to one of the pod's published objects, publicly addressed: a
 * Create (published as the object), an Update (updated now), or a Delete carrying a Tombstone of the
 * object's id. `formerType` names the deleted object's type where the rooms say it.
 */
export function announceChange(
  ctx: Context<null>,
  config: Config,
  verb: ChangeVerb,
  object: ApObject,
  now: Date,
  formerType?: typeof ApObject,
): Activity {
  const actor = ctx.getActorUri(config.handle);
  const addressing = publicAddressing(ctx, config);
  const id = new URL(`${object.id!.href}#${verb}-${uuidv7()}`);
  if (verb === "create") return new PodCreate({ id, actor, object, ...addressing, published: object.published });
  if (verb === "update") return new PodUpdate({ id, actor, object, ...addressing, updated: toInstant(now) });
  const tombstone = new Tombstone({ id: object.id, ...(formerType ? { formerType } : {}), deleted: toInstant(now) });
  return new Delete({ id, actor, ...addressing, object: tombstone });
}
