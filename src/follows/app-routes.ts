import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { RelayActions } from "../confederation/relay.ts";
import { viewPage } from "../confederation/view-present.ts";
import { viewOf } from "../confederation/view-query.ts";
import type { PodDeps } from "../federation/deps.ts";
import { ProblemError } from "../http/problem.ts";
import { text, type FormFields } from "../webapp/form-body.ts";
import type { FieldErrors } from "../webapp/html.ts";
import type { AppKit } from "../webapp/plugin.ts";
import { NEIGHBOR_NOTICES, neighborsPage, type NeighborNotice, type NeighborsState } from "./app-pages.ts";
import type { FollowActions } from "./federation.ts";
import { followsOf } from "./room.ts";

interface Options {
  kit: AppKit;
  audit: (memberId: string, action: string, subject: string) => void;
  deps: PodDeps;
  actions: FollowActions;
  relay: RelayActions;
}

const LIST_LIMIT = 200;

/** Another coordinator (or process) answered or ended it between the check and the change: nothing to do. */
const answeredMeanwhile = (error: unknown): undefined => {
  if (error instanceof ProblemError && (error.problem.status === 404 || error.problem.status === 409)) return undefined;
  throw error;
};

/** Neighbors in the app: the same follow actions as the admin API (src/follows/routes.ts), as forms. */
export async function neighborPages(app: FastifyInstance, { kit, audit, deps, actions, relay }: Options) {
  const coordinator = kit.guard("coordinator");
  const { store } = followsOf(deps);

  const show = async (request: FastifyRequest, reply: FastifyReply, extra: Partial<NeighborsState> = {}) => {
    const pages = await Promise.all(
      (["offer", "need"] as const).map((kind) =>
        viewPage(viewOf(deps), { kind, sort: "newest", limit: 50 }, "view", { content: false }),
      ),
    );
    const offers = pages.flatMap((page) => page.items);
    const state: NeighborsState = {
      following: await store.listFollowing({ limit: LIST_LIMIT }),
      requests: await store.listFollowers("pending", { limit: LIST_LIMIT }),
      followers: await store.listFollowers("accepted", { limit: LIST_LIMIT }),
      offers: offers.sort((a, b) => (a.published < b.published ? 1 : -1)),
      ...extra,
    };
    return kit.send(request, reply, neighborsPage(kit.context(request, reply), state));
  };
  const done = (reply: FastifyReply, notice: NeighborNotice) => reply.redirect(`/app/neighbors?done=${notice}`, 303);
  const field = (request: FastifyRequest, name: string) => text(request.body as FormFields | undefined, name).trim();

  app.get("/neighbors", { preHandler: coordinator }, async (request, reply) => {
    const notice = text(request.query as FormFields, "done") as NeighborNotice;
    return show(request, reply, { notice: NEIGHBOR_NOTICES.includes(notice) ? notice : undefined });
  });

  app.post("/neighbors/follow", { preHandler: coordinator }, async (request, reply) => {
    const target = field(request, "target").slice(0, 2048);
    const refuse = (errors: FieldErrors) => show(request, reply, { target, errors });
    if (target.length < 3) return refuse({ target: "error.required" });
    try {
      const row = await actions.follow(target);
      audit(request.appMember!.id, "neighbor.follow", row.actorIri);
    } catch (error) {
      if (error instanceof ProblemError && error.problem.status < 500)
        return refuse({ target: "content.neighbors.notFound" });
      throw error;
    }
    return done(reply, "followed");
  });

  app.post("/neighbors/unfollow", { preHandler: coordinator }, async (request, reply) => {
    const actor = field(request, "actor");
    if (!(await store.getFollowing(actor))) return reply.redirect("/app/neighbors", 303);
    const row = await actions.unfollow(actor).catch(answeredMeanwhile);
    if (!row) return reply.redirect("/app/neighbors", 303);
    audit(request.appMember!.id, "neighbor.unfollow", row.actorIri);
    return done(reply, "unfollowed");
  });

  for (const answer of ["approve", "reject"] as const) {
    app.post(`/neighbors/requests/${answer}`, { preHandler: coordinator }, async (request, reply) => {
      const actor = field(request, "actor");
      // A second press (or another coordinator) finds the request already answered: the page shows how it stands.
      if ((await store.getFollower(actor))?.state !== "pending") return reply.redirect("/app/neighbors", 303);
      const row = await actions[answer](actor).catch(answeredMeanwhile);
      if (!row) return reply.redirect("/app/neighbors", 303);
      audit(request.appMember!.id, `follower.${answer}`, row.actorIri);
      return done(reply, answer === "approve" ? "approved" : "rejected");
    });
  }

  // Re-sharing is an Announce to this pod's followers (confederation/relay.ts).
  app.post("/neighbors/reshare", { preHandler: coordinator }, async (request, reply) => {
    const row = await relay.reshare(field(request, "iri"));
    audit(request.appMember!.id, "neighbor.reshare", row.objectIri);
    return done(reply, "reshared");
  });
}
