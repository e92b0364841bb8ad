import { readFileSync } from "node:fs";
import type { FastifyInstance } from "fastify";
import { memberPages } from "../members/routes.ts";
import type { MembersService } from "../members/service.ts";
import { offerPages } from "../offers/app-routes.ts";
import { tokenPages } from "../operators/app-routes.ts";
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
    const openOf = (kind: "offer" | "need") =>
      pod.offers.list(kind, { limit: 200 }).filter((row) => row.status === "open" || row.status === "partly_claimed").length;
    const page = dashboardPage(kit.context(request, reply), {
      openOffers: openOf("offer"),
      openNeeds: openOf("need"),
      members: members.list().filter((m) => !m.disabledAt).length,
      invitations: members.openInvitations().length,
    });
    return kit.send(request, reply, page);
  });

  await app.register(memberPages, { kit, members });
  await app.register(offerPages, { kit, audit: members.audit, offers: pod.offers, db, config });
  await app.register(tokenPages, { kit, db, audit: members.audit });
}
