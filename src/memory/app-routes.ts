import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { viewPage } from "../confederation/view-present.ts";
import { viewOf } from "../confederation/view-query.ts";
import type { PodDeps } from "../federation/deps.ts";
import { notFound } from "../http/problem.ts";
import { markdownOf } from "../practices/adapt.ts";
import type { OffersService } from "../offers/service.ts";
import type { ChartersService } from "../charters/service.ts";
import { practicePath } from "../publishing/iris.ts";
import { htmlToText } from "../web/sanitize.ts";
import { text, type FormFields } from "../webapp/form-body.ts";
import type { FieldErrors } from "../webapp/html.ts";
import type { MessageKey } from "../webapp/i18n/index.ts";
import type { AppKit } from "../webapp/plugin.ts";
import {
  diffPage,
  ENTRY_FIELDS,
  entryFormPage,
  memoryListPage,
  searchPage,
  withdrawnEntryPage,
  type EntryFormState,
  type EntryValues,
} from "./app-pages.ts";
import { entryInputSchema, type Entry, type EntryKind } from "./model.ts";
import { podToday } from "./calendar.ts";
import { guidePages } from "./guide-routes.ts";
import { ENTRY_KINDS } from "./schema.ts";
import type { MemoryService } from "./service.ts";

interface Options {
  offers: OffersService;
  charters: ChartersService;
  kit: AppKit;
  audit: (memberId: string, action: string, subject: string) => void;
  memory: MemoryService;
  deps: PodDeps;
}

const ERROR_OF_FIELD: Partial<Record<string, MessageKey>> = {
  reviewOn: "memory.error.date",
  adaptedFrom: "memory.error.adapt",
};

const kindOf = (value: string): EntryKind =>
  (ENTRY_KINDS as readonly string[]).includes(value) ? (value as EntryKind) : "decision";

/** The pod's memory for members: list, write, change, publish or keep internal, withdraw, revisions, search. */
export async function memoryPages(app: FastifyInstance, { kit, audit, memory, offers, charters, deps }: Options) {
  const member = kit.guard("member");
  type IdParams = { Params: { id: string } };
  const today = () => podToday(deps.now(), deps.config.timeZone);

  const show = (request: FastifyRequest, reply: FastifyReply, state: EntryFormState) =>
    kit.send(request, reply, entryFormPage(kit.context(request, reply), state));

  function readForm(kind: EntryKind, fields: FormFields | undefined) {
    const values = Object.fromEntries(ENTRY_FIELDS.map((name) => [name, text(fields, name)])) as EntryValues;
    const parsed = entryInputSchema.safeParse({
      kind,
      title: values.title,
      summary: values.summary,
      body: values.body ?? "",
      decidedBy: values.decidedBy ?? "",
      alternatives: values.alternatives ?? "",
      reviewOn: values.reviewOn || null,
      learned: values.learned ?? "",
      changed: values.changed ?? "",
      visibility: values.visibility === "public" ? "public" : "internal",
      adaptedFrom: text(fields, "adaptedFrom") || null,
    });
    if (parsed.success) return { values, input: parsed.data };
    const errors: FieldErrors = {};
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0]);
      errors[field] ??= ERROR_OF_FIELD[field] ?? "error.required";
    }
    return { values, errors };
  }

  /** The edit page's state for an entry: its values, revisions, the decisions that can supersede it. */
  async function stateOf(entry: Entry): Promise<EntryFormState> {
    const values: EntryValues = { ...entry, reviewOn: entry.reviewOn ?? "", changeNote: "" };
    return {
      kind: entry.kind,
      values,
      entry,
      revisions: entry.kind === "workflow" ? await memory.revisions(entry.id) : undefined,
      decisions:
        entry.kind === "decision"
          ? (await memory.list("decision")).filter((d) => d.id !== entry.id && d.status === "active")
          : undefined,
      practicePath: entry.practiceId ? practicePath({ id: entry.practiceId }) : undefined,
    };
  }

  app.get("/memory", { preHandler: member }, async (request, reply) => {
    const done = text(request.query as FormFields, "done");
    const ctx = kit.context(request, reply);
    const reviews = ctx.member?.role === "coordinator" ? await memory.reviewsDue(today()) : [];
    const notice = done === "saved" || done === "withdrawn" ? done : undefined;
    const { items } = await viewPage(viewOf(deps), { kind: "memory", sort: "newest", limit: 50 }, "view", {
      content: false,
    });
    const workflows = items.filter((item) => item.entry === "workflow");
    return kit.send(request, reply, memoryListPage(ctx, await memory.list(), reviews, workflows, notice));
  });

  app.get("/memory/search", { preHandler: member }, async (request, reply) => {
    const q = text(request.query as FormFields, "q").slice(0, 200);
    return kit.send(request, reply, searchPage(kit.context(request, reply), q, q ? await memory.search(q, false) : []));
  });

  /** A neighbor's public workflow (or practice) in the view, by its IRI. */
  const originOf = async (iri: string) =>
    (await viewPage(viewOf(deps), { kind: "memory", sort: "newest", limit: 200 }, "view")).rows.find(
      (row) => row.iri === iri,
    );

  app.get("/memory/new", { preHandler: member }, async (request, reply) => {
    const query = request.query as FormFields;
    const adapt = text(query, "adapt");
    if (!adapt) return show(request, reply, { kind: kindOf(text(query, "kind")), values: {} });
    // A neighbor's public workflow (or practice) in the view, copied with a link to where it came from.
    const origin = await originOf(adapt);
    if (!origin) throw notFound(`no entry ${adapt} in the view`);
    const values: EntryValues = {
      title: origin.name,
      summary: htmlToText(origin.summary),
      body: markdownOf(origin.content),
    };
    return show(request, reply, { kind: "workflow", values, adapting: { name: origin.name, iri: origin.iri } });
  });

  app.post("/memory", { preHandler: member }, async (request, reply) => {
    const fields = request.body as FormFields | undefined;
    const kind = kindOf(text(fields, "kind"));
    const form = readForm(kind, fields);
    if (form.errors) {
      // An adaptation keeps its link to where it came from while the member fixes the form.
      const from = text(fields, "adaptedFrom");
      const adapting = from ? { name: (await originOf(from))?.name ?? from, iri: from } : undefined;
      return show(request, reply, { kind, values: form.values, errors: form.errors, adapting });
    }
    const row = await memory.create({ ...form.input!, language: kit.context(request, reply).locale });
    audit(request.appMember!.id, "memory.create", row.id);
    return reply.redirect(`/app/memory/${row.id}?done=saved`, 303);
  });

  app.get<IdParams>("/memory/:id", { preHandler: member }, async (request, reply) => {
    const entry = await memory.get(request.params.id);
    if (entry.status === "withdrawn")
      return kit.send(request, reply, withdrawnEntryPage(kit.context(request, reply), entry));
    return show(request, reply, await stateOf(entry));
  });

  app.post<IdParams>("/memory/:id", { preHandler: member }, async (request, reply) => {
    const entry = await memory.get(request.params.id);
    if (entry.status === "withdrawn") return reply.redirect(`/app/memory/${entry.id}`, 303);
    const fields = request.body as FormFields | undefined;
    const form = readForm(entry.kind, fields);
    if (form.errors)
      return show(request, reply, { ...(await stateOf(entry)), values: form.values, errors: form.errors });
    const { kind: _kind, visibility: _visibility, adaptedFrom: _adaptedFrom, ...patch } = form.input!;
    await memory.update(entry.id, { ...patch, language: entry.language, changeNote: form.values.changeNote ?? "" });
    audit(request.appMember!.id, "memory.update", entry.id);
    return reply.redirect(`/app/memory?done=saved`, 303);
  });

  app.post<IdParams>("/memory/:id/visibility", { preHandler: member }, async (request, reply) => {
    const visibility = text(request.body as FormFields, "visibility") === "public" ? "public" : "internal";
    await memory.setVisibility(request.params.id, visibility);
    audit(request.appMember!.id, `memory.${visibility}`, request.params.id);
    return reply.redirect(`/app/memory/${request.params.id}`, 303);
  });

  app.post<IdParams>("/memory/:id/withdraw", { preHandler: member }, async (request, reply) => {
    const entry = await memory.get(request.params.id);
    if (entry.status !== "withdrawn") await memory.withdraw(entry.id);
    audit(request.appMember!.id, "memory.withdraw", entry.id);
    return reply.redirect("/app/memory?done=withdrawn", 303);
  });

  app.post<IdParams>("/memory/:id/supersede", { preHandler: member }, async (request, reply) => {
    await memory.supersede(request.params.id, text(request.body as FormFields, "by"));
    audit(request.appMember!.id, "memory.supersede", request.params.id);
    return reply.redirect(`/app/memory/${request.params.id}`, 303);
  });

  app.post<IdParams>("/memory/:id/promote", { preHandler: member }, async (request, reply) => {
    const lesson = await memory.promote(request.params.id);
    audit(request.appMember!.id, "memory.promote", lesson.id);
    return reply.redirect(`/app/memory/${lesson.id}`, 303);
  });

  app.get<IdParams>("/memory/:id/diff", { preHandler: member }, async (request, reply) => {
    const entry = await memory.get(request.params.id);
    const query = request.query as FormFields;
    const revisions = await memory.revisions(entry.id);
    const at = (name: string) => revisions.find((r) => r.number === Number(text(query, name)));
    const from = at("from");
    const to = at("to");
    if (!from || !to) throw notFound(`no such revisions of ${entry.id}`);
    // Line endings as forms send them (CRLF) and a final newline, so only real changes show.
    const lines = (body: string) => `${body.replaceAll("\r\n", "\n").replace(/\n?$/, "\n")}`;
    // Loaded on the first diff asked for, like the other libraries only some pages use (not at every start).
    const { diffLines } = await import("diff");
    const changes = diffLines(lines(from.body), lines(to.body));
    return kit.send(request, reply, diffPage(kit.context(request, reply), entry, from.number, to.number, changes));
  });

  await guidePages(app, { kit, audit, memory, offers, charters });
}
