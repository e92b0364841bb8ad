import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { PodDeps } from "../federation/deps.ts";
import { text, type FormFields } from "../webapp/form-body.ts";
import { html, Notice, type FieldErrors, type PageContext } from "../webapp/html.ts";
import type { AppKit } from "../webapp/plugin.ts";
import { eligibleConveners, nextAssemblyValues, nextConvenerOf } from "./convener.ts";
import { minutesSchema } from "./minutes.ts";
import type { AssemblyOutcomes } from "./outcomes.ts";
import type { Assembly } from "./model.ts";
import { OutcomeSections } from "./outcome-pages.ts";
import { podName, proposeSchema, ratifySchema } from "./proposals.ts";
import type { AssembliesRoom } from "./room.ts";
import { followsOf } from "../follows/room.ts";

type Show = (request: FastifyRequest, reply: FastifyReply, id: string, errors?: FieldErrors) => unknown;

interface Options {
  kit: AppKit;
  audit: (memberId: string, action: string, subject: string) => void;
  assemblies: AssembliesRoom;
  outcomes: AssemblyOutcomes;
  deps: PodDeps;
}

const NOTICES = { proposed: "outcomes.proposedOk", ratified: "outcomes.ratifiedOk", minutes: "outcomes.minutesOk" };

/** What the assembly's page shows below its record: proposals with their ratifications, minutes, next convener. */
export async function outcomeSections(
  ctx: PageContext,
  request: FastifyRequest,
  options: Options,
  row: Assembly,
  errors?: FieldErrors,
) {
  const { assemblies, outcomes, deps } = options;
  const participants = await assemblies.participants(row.id);
  const done = text(request.query as FormFields, "done");
  const notice = Object.hasOwn(NOTICES, done) ? NOTICES[done as keyof typeof NOTICES] : undefined;
  const view = {
    row,
    self: assemblies.self(),
    nameOf: (iri: string) => podName(deps.rooms, iri),
    proposals: await outcomes.ratification.proposals(row),
    next: nextConvenerOf(row, participants),
    eligible: eligibleConveners(row, participants),
    attending: row.role === "convener" || row.answer === "accepted" || row.answer === "tentative",
    over: deps.now().toISOString() >= (row.endTime ?? row.startTime),
    errors,
  };
  return html`${notice && html`<${Notice} kind="ok">${ctx.t(notice as "outcomes.proposedOk")}<//>`}
    <${OutcomeSections} ctx=${ctx} view=${view} />`;
}

/** The convene form's values for the next assembly, when this pod convenes it (`?after=<id>`). */
export async function nextAssemblyPrefill(ctx: PageContext, request: FastifyRequest, options: Options) {
  const after = text(request.query as FormFields, "after");
  if (!after) return {};
  const { assemblies, deps } = options;
  const row = (await assemblies.list()).find((found) => found.id === after);
  if (!row) return {};
  const accepted = await followsOf(deps).store.listFollowing({ limit: 500 }, "accepted");
  const followed = new Set(accepted.map((f) => f.actorIri));
  return nextAssemblyValues(row, await assemblies.participants(row.id), assemblies.self(), followed, {
    title: ctx.t("outcomes.nextTitle", { title: row.title }).slice(0, 200),
    agenda: ctx.t("outcomes.nextAgenda", { url: row.minutesIri ?? row.iri }),
  });
}

/** Coordinators propose, ratify (their own pod's decision) and, on the convening pod, publish the minutes. */
export async function outcomeAppRoutes(app: FastifyInstance, options: Options & { show: Show }) {
  const { kit, audit, outcomes, show } = options;
  const coordinator = kit.guard("coordinator");
  type IdParams = { Params: { id: string } };
  const back = (reply: FastifyReply, id: string, done: string, anchor: string) =>
    reply.redirect(`/app/assemblies/${id}?done=${done}#${anchor}`, 303);

  app.post<IdParams>("/assemblies/:id/proposals", { preHandler: coordinator }, async (request, reply) => {
    const fields = request.body as FormFields | undefined;
    const parsed = proposeSchema.safeParse({
      title: text(fields, "proposalTitle"),
      text: text(fields, "proposalText"),
    });
    if (!parsed.success) {
      const errors: FieldErrors = {};
      for (const issue of parsed.error.issues) {
        if (issue.path[0] === "title") errors.proposalTitle = "outcomes.error.title";
        if (issue.path[0] === "text") errors.proposalText = "outcomes.error.text";
      }
      return show(request, reply, request.params.id, errors);
    }
    await outcomes.ratification.propose(request.params.id, parsed.data);
    audit(request.appMember!.id, "assembly.propose", request.params.id);
    return back(reply, request.params.id, "proposed", "proposals");
  });

  app.post<IdParams>("/assemblies/:id/ratifications", { preHandler: coordinator }, async (request, reply) => {
    const fields = request.body as FormFields | undefined;
    const parsed = ratifySchema.safeParse({
      proposal: text(fields, "proposal"),
      answer: text(fields, "answer"),
      reason: text(fields, "reason"),
      group: text(fields, "group"),
    });
    if (!parsed.success) return show(request, reply, request.params.id, { answer: "error.required" });
    await outcomes.ratification.ratify(request.params.id, parsed.data);
    audit(request.appMember!.id, "assembly.ratify", request.params.id);
    return back(reply, request.params.id, "ratified", "proposals");
  });

  app.post<IdParams>("/assemblies/:id/minutes", { preHandler: coordinator }, async (request, reply) => {
    const fields = request.body as FormFields | undefined;
    const parsed = minutesSchema.safeParse({
      nextConvener: text(fields, "nextConvener") || undefined,
      summary: text(fields, "summary"),
    });
    if (!parsed.success) return show(request, reply, request.params.id, { nextConvener: "error.required" });
    await outcomes.minutes.publish(request.params.id, parsed.data);
    audit(request.appMember!.id, "assembly.minutes", request.params.id);
    return back(reply, request.params.id, "minutes", "minutes");
  });
}
