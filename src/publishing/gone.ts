import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
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
  // A callback hook, so that the reads that skip the table make no promise.
  app.addHook("onRequest", (request, reply, done) => {
    if (request.method !== "GET" && request.method !== "HEAD") return done();
    // The actor and the discovery documents are never withdrawn: the most read URLs skip the table.
    if (request.url === `/users/${config.handle}` || request.url.startsWith("/.well-known/")) return done();
    answerIfGone(request, reply).then((answered) => answered || done(), done);
  });

  /** Sends the 410 when the request's URL is a deleted object's; false when it is not. */
  async function answerIfGone(request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
    const iri = new URL(request.url.split("?")[0]!, config.url).href;
    const tombstone = await tombstones.find(iri);
    if (!tombstone) return false;
    const object = new Tombstone({
      id: new URL(tombstone.iri),
      formerType: FORMER_TYPES.has(tombstone.formerType as AsType) ? AS_CLASSES[tombstone.formerType as AsType] : null,
      deleted: toInstant(new Date(tombstone.deletedAt)),
    });
    await sendNegotiated(
      request,
      reply,
      object,
      () => {
        const ctx = publicContext(request, reply, config);
        return renderPublic(ctx, reply, publicErrorPage(ctx, 410));
      },
      410,
    );
    return true;
  }
}
