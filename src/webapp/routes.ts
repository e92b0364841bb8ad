import { readFileSync } from "node:fs";
import type { FastifyInstance } from "fastify";
import { memberPages } from "../members/routes.ts";
import type { MembersService } from "../members/service.ts";
import { offerPages } from "../offers/app-routes.ts";
import { tokenPages } from "../operators/app-routes.ts";
import { requestsBlock } from "../requests/app-pages.ts";
import { requestPages } from "../requests/app-routes.ts";
import { countFollowers } from "../follows/service.ts";
import type { Pod } from "../pod.ts";
import { dashboardPage } from "./pages/dashboard.ts";
import { installWebApp } from "./plugin.ts";

const STYLE = readFileSync(new URL("./style.css", import.meta.url), "utf8");

/** The members' web app under /app: server-rendered pages that work without JavaScript. */
export async function webApp(app: FastifyInstance, { pod, members }: { pod: Pod; members: MembersService }) {
  const { config, db } = pod.deps;
  const kit = await installWebApp(app, { config, members });

  app.get("/style.css", async (_request, reply) =>
    reply.type("text/css; charset=utf-8").header("cache-control", "public, max-age=3600").send(STYLE),
  );

  app.get("/", { preHandler: kit.guard("member") }, async (request, reply) => {
    const open = (["offer", "need"] as const).map((kind) =>
      pod.offers.list(kind, { limit: 200 }).filter((row) => row.status === "open" || row.status === "partly_claimed"),
    );
    const now = pod.deps.now();
    const soon = new Date(now.getTime() + 3 * 86_400_000).toISOString();
    const ctx = kit.context(request, reply);
    const page = dashboardPage(ctx, {
      openOffers: open[0]!.length,
      openNeeds: open[1]!.length,
      followRequests: countFollowers(db, "pending"),
      endingSoon: open
        .flat()
        .filter((row) => row.availableUntil && row.availableUntil <= soon)
        .map((row) => row.name),
      charterReviewDue: pod.charters.current()?.reviewDue ?? null,
      now: now.toISOString(),
      members: members.list().filter((m) => !m.disabledAt).length,
      invitations: members.openInvitations().length,
      requests: requestsBlock(ctx, pod.requests.count("new"), pod.requests.list({ status: "new", limit: 3 })),
    });
    return kit.send(request, reply, page);
  });

  await app.register(memberPages, { kit, members });
  await app.register(offerPages, { kit, audit: members.audit, offers: pod.offers, db, config });
  await app.register(tokenPages, { kit, db, audit: members.audit });
  await app.register(requestPages, { kit, audit: members.audit, requests: pod.requests });
}
