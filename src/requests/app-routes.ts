import type { FastifyInstance } from "fastify";
import { ProblemError } from "../http/problem.ts";
import { text, type FormFields } from "../webapp/form-body.ts";
import type { AppKit } from "../webapp/plugin.ts";
import { DONE, requestsPage, type Done } from "./app-pages.ts";
import type { RequestsService, RequestStatus } from "./service.ts";

interface Options {
  kit: AppKit;
  audit: (memberId: string, action: string, subject: string) => void;
  requests: RequestsService;
}

const STATUSES: RequestStatus[] = ["new", "answered", "closed"];

/** The coordinators' page of neighbors' requests: claim from one in a click, mark it answered or closed. */
export async function requestPages(app: FastifyInstance, { kit, audit, requests }: Options) {
  const coordinator = kit.guard("coordinator");
  type ById = { Params: { id: string } };

  app.get("/requests", { preHandler: coordinator }, async (request, reply) => {
    const query = request.query as FormFields;
    const asked = text(query, "status");
    const shown = asked === "all" ? "all" : (STATUSES.find((s) => s === asked) ?? "new");
    const done = DONE.find((d) => d === text(query, "done")) as Done | undefined;
    const rows = await requests.list({ status: shown === "all" ? undefined : shown, limit: 200 });
    return kit.send(request, reply, requestsPage(kit.context(request, reply), rows, shown, done));
  });

  app.post<ById>("/requests/:id/claim", { preHandler: coordinator }, async (request, reply) => {
    const before = await requests.get(request.params.id);
    try {
      await requests.recordClaim(before.id);
    } catch (error) {
      // Closed since, or nothing left: the list says what the request is now.
      if (error instanceof ProblemError && error.problem.status < 500 && error.problem.status !== 404) {
        return reply.redirect("/app/requests?status=all", 303);
      }
      throw error;
    }
    audit(request.appMember!.id, `${before.subject}.claim`, before.subjectId);
    audit(request.appMember!.id, "request.claim", before.id);
    return reply.redirect("/app/requests?done=claimed", 303);
  });

  app.post<ById>("/requests/:id/status", { preHandler: coordinator }, async (request, reply) => {
    const status = text(request.body as FormFields, "status");
    if (status !== "answered" && status !== "closed") {
      throw new ProblemError({ status: 400, title: "Bad Request", field: "status" });
    }
    const row = await requests.mark(request.params.id, status);
    audit(request.appMember!.id, `request.${status}`, row.id);
    return reply.redirect(`/app/requests?done=${status}`, 303);
  });
}
