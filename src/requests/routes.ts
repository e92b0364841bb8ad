import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import type { ChartersService } from "../charters/service.ts";
import { helpPath, needsHelp } from "../charters/pages.ts";
import type { Config } from "../config/schema.ts";
import { notFound } from "../http/problem.ts";
import { isOpen, offerPath } from "../offers/pages.ts";
import type { OffersService } from "../offers/service.ts";
import { publicContext, sendPublic } from "../web/layout.ts";
import { publicErrorPage } from "../web/errors.ts";
import { parseFormBody, text, type FormFields } from "../webapp/form-body.ts";
import type { MessageKey } from "../webapp/i18n/index.ts";
import { requestFormPage, requestSentPage, type RequestTarget } from "./pages.ts";
import { requestInputSchema, type RequestsService, type RequestSubject } from "./service.ts";

/** The form's whole body: a few short fields. Anything larger is refused before it is read. */
export const REQUEST_BODY_LIMIT = 8 * 1024;
const FIELDS = ["name", "contact", "message", "quantity"] as const;

interface Options {
  config: Config;
  offers: OffersService;
  charters: ChartersService;
  requests: RequestsService;
}

type Found = { target: RequestTarget; subject: RequestSubject } | { closed: true };

/** Public: the forms neighbors without an account use to ask for an offer or to offer help, and the thank-you page. */
export const publicRequestRoutes: FastifyPluginAsync<Options> = async (app, { config, offers, charters, requests }) => {
  app.addContentTypeParser(
    "application/x-www-form-urlencoded",
    { parseAs: "string", bodyLimit: REQUEST_BODY_LIMIT },
    (_request, body, done) => done(null, parseFormBody(body as string)),
  );

  const offerTarget =
    (kind: "offer" | "need") =>
    async (id: string): Promise<Found> => {
      if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound(`no ${kind} ${id}`);
      const row = await offers.get(kind, id);
      if (row.status === "withdrawn") throw notFound(`no ${kind} ${id}`);
      if (!isOpen(row)) return { closed: true };
      return {
        target: {
          kind,
          name: row.name,
          back: offerPath(row),
          unit: row.unit,
          availableMilli: kind === "offer" ? row.availableMilli : null,
        },
        subject: { subject: kind, subjectId: row.id, subjectName: row.name },
      };
    };
  const serviceTarget = (key: string): Found => {
    const service = charters.current()?.planned.find((s) => s.key === key);
    if (!service) throw notFound(`no planned service ${key}`);
    if (!needsHelp(service)) return { closed: true };
    return {
      target: {
        kind: "service",
        name: service.name,
        back: `/charter#service-${service.key}`,
        unit: null,
        availableMilli: null,
      },
      subject: { subject: "service", subjectId: service.key, subjectName: service.name },
    };
  };

  const refuse = (request: FastifyRequest, reply: FastifyReply, status: number, detail: MessageKey) => {
    const ctx = publicContext(request, reply, config);
    if (status === 429) reply.header("retry-after", "600");
    return sendPublic(ctx, reply, publicErrorPage(ctx, status, detail));
  };

  const routes: { path: string; find: (id: string) => Found | Promise<Found> }[] = [
    { path: "/offers/:id/ask", find: offerTarget("offer") },
    { path: "/needs/:id/help", find: offerTarget("need") },
    { path: helpPath(":id"), find: serviceTarget },
  ];
  for (const { path, find } of routes) {
    app.get<{ Params: { id: string } }>(path, { schema: { hide: true } }, async (request, reply) => {
      const ctx = publicContext(request, reply, config);
      const found = await find(request.params.id);
      if ("closed" in found) return refuse(request, reply, 410, "site.request.closed");
      return sendPublic(ctx, reply, requestFormPage(ctx, found.target, { values: {} }));
    });

    app.post<{ Params: { id: string } }>(path, { schema: { hide: true } }, async (request, reply) => {
      // Refused before anything is read into storage: too many from this address, or a form filled in by a robot.
      // Only the form's own encoding: its body limit and field parsing are the form parser's.
      if (!String(request.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")) {
        return refuse(request, reply, 415, "site.request.refused");
      }
      if (!requests.allow(request.ip)) return refuse(request, reply, 429, "site.request.tooMany");
      const fields = (request.body ?? {}) as FormFields;
      if (text(fields, "website") !== "") return refuse(request, reply, 400, "site.request.refused");
      const found = await find(request.params.id);
      if ("closed" in found) return refuse(request, reply, 410, "site.request.closed");
      const values = Object.fromEntries(FIELDS.map((name) => [name, text(fields, name)]));
      const parsed = requestInputSchema.safeParse({
        name: values.name,
        contact: values.contact,
        message: values.message,
        quantity: found.target.unit !== null && values.quantity ? values.quantity : undefined,
      });
      const left = found.target.availableMilli;
      if (parsed.success && left !== null && parsed.data.quantity !== undefined && parsed.data.quantity > left) {
        const ctx = publicContext(request, reply, config);
        const errors = { quantity: "site.request.tooMuch" as const };
        return sendPublic(ctx, reply, requestFormPage(ctx, found.target, { values, errors }));
      }
      if (!parsed.success) {
        const errors: Partial<Record<string, MessageKey>> = {};
        for (const issue of parsed.error.issues) {
          const name = String(issue.path[0]);
          errors[name] ??=
            name === "quantity" ? "error.number" : issue.code === "too_big" ? "site.request.tooLong" : "error.required";
        }
        const ctx = publicContext(request, reply, config);
        return sendPublic(ctx, reply, requestFormPage(ctx, found.target, { values, errors }));
      }
      await requests.create(found.subject, parsed.data);
      return reply.redirect("/requests/sent", 303);
    });
  }

  app.get("/requests/sent", { schema: { hide: true } }, async (request, reply) => {
    const ctx = publicContext(request, reply, config);
    return sendPublic(ctx, reply, requestSentPage(ctx));
  });
};
