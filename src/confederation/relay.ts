import type { Context } from "@fedify/fedify";
import { Announce } from "@fedify/vocab";
import { uuidv7 } from "uuidv7";
import { roomsOf } from "../db/room-db.ts";
import type { PodDeps } from "../federation/deps.ts";
import { notFound } from "../http/problem.ts";
import { publicAddressing, sendToFollowers } from "../publishing/deliver.ts";
import { viewStore } from "./store.ts";

/**
 * Relaying without a center. The operator re-shares a neighbor's object with an Announce; receivers
 * fetch it from its origin before trusting it. When the origin later updates or deletes it, the pod
 * announces it again so followers refetch. Policy against echoes: only an operator starts a relay, only
 * an activity from the object's origin renews one, and a pod never relays its own objects.
 */
export function relayActions(deps: PodDeps, contextFor: () => Context<null>) {
  const { config } = deps;
  const store = viewStore(roomsOf(deps));

  async function announce(objectIri: string): Promise<string> {
    const ctx = contextFor();
    const me = ctx.getActorUri(config.handle);
    const id = new URL(`${me.href}#announce/${uuidv7()}`);
    const activity = new Announce({ id, actor: me, object: new URL(objectIri), ...publicAddressing(ctx, config) });
    await sendToFollowers(ctx, deps, [activity], objectIri);
    return id.href;
  }

  return {
    /** Re-shares an offer, need or practice that is in this pod's view. */
    async reshare(objectIri: string) {
      const object = await store.viewObject(objectIri);
      if (!object || object.kind === "charter")
        throw notFound(`no offer, need or practice ${objectIri} in this pod's view`);
      const announceIri = await announce(objectIri);
      const row = { objectIri, originIri: object.podIri, announceIri, createdAt: deps.now().toISOString() };
      await store.recordRelay(row);
      return row;
    },

    /**
     * The origin changed or deleted something this pod relayed: announce it again so followers refetch.
     * `relayedOrigin`: what `store.relayedOrigin` answers, when the caller read it already (in its write).
     */
    async renew(objectIri: string, actorIri: string, relayedOrigin?: { iri: string | undefined }): Promise<boolean> {
      // Asked for every activity a neighbor sends.
      const origin = relayedOrigin ? relayedOrigin.iri : await store.relayedOrigin(objectIri);
      if (origin !== actorIri) return false;
      await store.renewRelay(objectIri, await announce(objectIri));
      return true;
    },
  };
}

export type RelayActions = ReturnType<typeof relayActions>;
