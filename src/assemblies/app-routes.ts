import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { PodDeps } from "../federation/deps.ts";
import { followsOf } from "../follows/room.ts";
import { text, type FormFields } from "../webapp/form-body.ts";
import type { FieldErrors } from "../webapp/html.ts";
import type { MessageKey } from "../webapp/i18n/index.ts";
import type { AppKit } from "../webapp/plugin.ts";
import {
  assembliesListPage,
  assemblyPage,
  CONVENE_FIELDS,
  conveneFormPage,
  type ConveneValues,
  type NameOf,
  type Notices,
} from "./app-pages.ts";
import { barterSections } from "./app-barter-pages.ts";
import { barterPages, barterViewOf } from "./app-barter-routes.ts";
import type { AssemblyBarter } from "./barter.ts";
import { answerSchema, contributeSchema, conveneSchema } from "./model.ts";
import type { AssembliesRoom } from "./room.ts";
import { nextAssemblyPrefill, outcomeAppRoutes, outcomeSections } from "./outcome-app-routes.ts";
import type { AssemblyOutcomes } from "./outcomes.ts";

interface Options {
  kit: AppKit;
  audit: (memberId: string, action: string, subject: string) => void;
  assemblies: AssembliesRoom;
  outcomes: AssemblyOutcomes;
  barter: AssemblyBarter;
  deps: PodDeps;
}

const ERROR_OF_FIELD: Partial<Record<string, MessageKey>> = {
  placeName: "assemblies.error.place",
  invited: "assemblies.error.invited",
  startTime: "assemblies.error.time",
  endTime: "assemblies.error.time",
  onlineUrl: "assemblies.error.online",
  text: "assemblies.error.text",
};

const NOTICES = new Set<string>(["convened", "answered", "posted"]);
const noticeOf = (request: FastifyRequest) => {
  const done = text(request.query as FormFields, "done");
  return NOTICES.has(done) ? (done as Notices) : undefined;
};

function errorsOf(issues: { path: PropertyKey[] }[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issues) {
    const field = String(issue.path[0]);
    errors[field] ??= ERROR_OF_FIELD[field] ?? "error.required";
  }
  return errors;
}

/** Members read assemblies; coordinators convene, answer and contribute (forms work without JavaScript). */
export async function assemblyPages(app: FastifyInstance, options: Options) {
  const { kit, audit, assemblies, barter, deps } = options;
  const member = kit.guard("member");
  const coordinator = kit.guard("coordinator");
  const { config } = deps;
  type IdParams = { Params: { id: string } };

  const follows = followsOf(deps);
  // Names are read synchronously inside the pages: the follows copy in memory.
  const nameOf: NameOf = (iri) => {
    const known = follows.getFollowing(iri) ?? follows.getFollower(iri);
    return known?.handle ?? URL.parse(iri)?.host ?? iri;
  };
  const pods = async () =>
    (await follows.store.listFollowing({ limit: 500 }, "accepted")).map((row) => ({
      actorIri: row.actorIri,
      name: nameOf(row.actorIri),
    }));

  const showAssembly = async (request: FastifyRequest, reply: FastifyReply, id: string, errors?: FieldErrors) => {
    const row = await assemblies.get(id);
    const ctx = kit.context(request, reply);
    const barterView = await barterViewOf(barter, assemblies, row, config.timeZone, request, errors);
    const outcomes = await outcomeSections(ctx, request, options, row, errors);
    const page = assemblyPage(ctx, {
      row,
      participants: await assemblies.participants(id),
      record: await assemblies.record(id),
      nameOf,
      self: assemblies.self(),
      zone: config.timeZone,
      notice: errors ? undefined : noticeOf(request),
      errors,
      beforeRecord: barterSections(ctx, barterView),
      afterRecord: outcomes,
    });
    return kit.send(request, reply, page);
  };

  await outcomeAppRoutes(app, { ...options, show: showAssembly });
  await barterPages(app, { kit, audit, assemblies, barter, show: showAssembly });

  app.get("/assemblies", { preHandler: member }, async (request, reply) =>
    kit.send(
      request,
      reply,
      assembliesListPage(kit.context(request, reply), await assemblies.list(), noticeOf(request)),
    ),
  );

  app.get("/assemblies/new", { preHandler: coordinator }, async (request, reply) =>
    kit.send(
      request,
      reply,
      conveneFormPage(kit.context(request, reply), {
        values: await nextAssemblyPrefill(kit.context(request, reply), request, options),
        pods: await pods(),
        zone: config.timeZone,
      }),
    ),
  );

  app.post("/assemblies", { preHandler: coordinator }, async (request, reply) => {
    const fields = request.body as FormFields | undefined;
    const values: ConveneValues = Object.fromEntries(CONVENE_FIELDS.map((name) => [name, text(fields, name)]));
    const chosen = fields && Object.hasOwn(fields, "invited") ? fields.invited! : [];
    values.invited = (Array.isArray(chosen) ? chosen : [chosen]).filter(Boolean);
    values.visibility = text(fields, "visibility") === "public" ? "public" : undefined;
    const parsed = conveneSchema.safeParse({
      ...values,
      endTime: values.endTime || undefined,
      onlineUrl: values.onlineUrl || undefined,
      visibility: values.visibility,
    });
    if (!parsed.success) {
      const page = conveneFormPage(kit.context(request, reply), {
        values,
        errors: errorsOf(parsed.error.issues),
        pods: await pods(),
        zone: config.timeZone,
      });
      return kit.send(request, reply, page);
    }
    const row = await assemblies.convene(parsed.data);
    audit(request.appMember!.id, "assembly.convene", row.id);
    return reply.redirect(`/app/assemblies/${row.id}?done=convened`, 303);
  });

  app.get<IdParams>("/assemblies/:id", { preHandler: member }, async (request, reply) =>
    showAssembly(request, reply, request.params.id),
  );

  app.post<IdParams>("/assemblies/:id/answer", { preHandler: coordinator }, async (request, reply) => {
    const parsed = answerSchema.safeParse({ answer: text(request.body as FormFields, "answer") });
    if (!parsed.success) return showAssembly(request, reply, request.params.id, { answer: "error.required" });
    await assemblies.answer(request.params.id, parsed.data.answer);
    audit(request.appMember!.id, "assembly.answer", request.params.id);
    return reply.redirect(`/app/assemblies/${request.params.id}?done=answered`, 303);
  });

  app.post<IdParams>("/assemblies/:id/contributions", { preHandler: coordinator }, async (request, reply) => {
    const fields = request.body as FormFields | undefined;
    const parsed = contributeSchema.safeParse({ kind: text(fields, "kind"), text: text(fields, "text") });
    if (!parsed.success) return showAssembly(request, reply, request.params.id, errorsOf(parsed.error.issues));
    await assemblies.contribute(request.params.id, parsed.data);
    audit(request.appMember!.id, "assembly.contribute", request.params.id);
    return reply.redirect(`/app/assemblies/${request.params.id}?done=posted`, 303);
  });
}
