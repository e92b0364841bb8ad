import type { FastifyInstance } from "fastify";
import { Article, Note, Proposal, Tombstone } from "@fedify/vocab";
import { roomsOf } from "../db/room-db.ts";
import type { PodDeps } from "../federation/deps.ts";
import { toInstant } from "../federation/deps.ts";
import { publicErrorPage } from "../web/errors.ts";
import { publicContext, renderPublic } from "../web/layout.ts";
import type { AsType } from "./kind.ts";
import { FORMER_TYPES } from "./kinds.ts";
import { sendNegotiated } from "./negotiate.ts";
import { tombstonesStore } from "./tombstones.ts";

const AS_CLASSES = { Proposal, Note, Article } as const;

/** Deleted objects answer 410 Gone at their old id, with a Tombstone for ActivityPub clients. */
export function installGoneHandler(app: FastifyInstance, deps: PodDeps): void {
  const { config } = deps;
  const tombstones = tombstonesStore(roomsOf(deps));
  app.addHook("onRequest", async (request, reply) => {
    if (request.method !== "GET" && request.method !== "HEAD") return;
    // The actor and the discovery documents are never withdrawn: the most read URLs skip the table.
    if (request.url === `/users/${config.handle}` || request.url.startsWith("/.well-known/")) return;
    const iri = new URL(request.url.split("?")[0]!, config.url).href;
    const tombstone = await tombstones.find(iri);
    if (!tombstone) return;
    const object = new Tombstone({
      id: new URL(tombstone.iri),
      formerType: FORMER_TYPES.has(tombstone.formerType as AsType) ? AS_CLASSES[tombstone.formerType as AsType] : null,
      deleted: toInstant(new Date(tombstone.deletedAt)),
    });
    return sendNegotiated(
      request,
      reply,
      object,
      () => {
        const ctx = publicContext(request, reply, config);
        return renderPublic(ctx, reply, publicErrorPage(ctx, 410));
      },
      410,
    );
  });
}
