import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { viewPage, type ViewItem } from "../confederation/view-present.ts";
import { viewOf } from "../confederation/view-query.ts";
import type { PodDeps } from "../federation/deps.ts";
import { ProblemError } from "../http/problem.ts";
import { htmlToText } from "../web/sanitize.ts";
import { text, type FormFields } from "../webapp/form-body.ts";
import type { FieldErrors } from "../webapp/html.ts";
import type { MessageKey } from "../webapp/i18n/index.ts";
import type { AppKit } from "../webapp/plugin.ts";
import {
  PRACTICE_FIELDS,
  practiceFormPage,
  practicesListPage,
  withdrawnPracticePage,
  type PracticeFormState,
  type PracticeValues,
} from "./app-pages.ts";
import { markdownOf } from "./adapt.ts";
import { renderMarkdown } from "./markdown.ts";
import { practiceInputSchema, type PracticeInput } from "./model.ts";
import type { PracticesService } from "./service.ts";

interface Options {
  kit: AppKit;
  audit: (memberId: string, action: string, subject: string) => void;
  practices: PracticesService;
  deps: PodDeps;
  /** The lesson learned a practice was promoted from (the memory room keeps the link), for the link back. */
  lessonOf?: (practiceId: string) => Promise<{ id: string; title: string } | undefined>;
}

const ERROR_OF_FIELD: Partial<Record<string, MessageKey>> = {
  tags: "content.practice.tagsError",
  body: "content.practice.tooLong",
  problem: "content.practice.tooLong",
  outcomes: "content.practice.tooLong",
};

/** Neighbors' practices in this pod's confederal view, newest first (what can be adapted). */
async function neighborPractices(deps: PodDeps, limit: number): Promise<ViewItem[]> {
  return (await viewPage(viewOf(deps), { kind: "practice", sort: "newest", limit }, "view", { content: false })).items;
}

/** Write, preview, publish, change and withdraw the pod's practices; adapt a neighbor's. */
export async function practicePages(app: FastifyInstance, { kit, audit, practices, deps, lessonOf }: Options) {
  const coordinator = kit.guard("coordinator");
  type IdParams = { Params: { id: string } };

  const show = (request: FastifyRequest, reply: FastifyReply, state: PracticeFormState) =>
    kit.send(request, reply, practiceFormPage(kit.context(request, reply), state));

  function readForm(fields: FormFields | undefined): {
    values: PracticeValues;
    input?: PracticeInput;
    errors?: FieldErrors;
  } {
    const values = Object.fromEntries(PRACTICE_FIELDS.map((name) => [name, text(fields, name)])) as PracticeValues;
    const tags = (values.tags ?? "")
      .split(/[\s,]+/)
      .map((tag) => tag.replace(/^#/, ""))
      .filter(Boolean);
    const parsed = practiceInputSchema.safeParse({
      title: values.title,
      summary: values.summary,
      body: values.body ?? "",
      tags,
      problem: values.problem ?? "",
      outcomes: values.outcomes ?? "",
      adaptedFrom: values.adaptedFrom || undefined,
    });
    if (parsed.success) return { values, input: parsed.data };
    const errors: FieldErrors = {};
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0]);
      errors[field] ??= ERROR_OF_FIELD[field] ?? "error.required";
    }
    return { values, errors };
  }

  app.get("/practices", { preHandler: coordinator }, async (request, reply) => {
    const done = text(request.query as FormFields, "done");
    const page = practicesListPage(
      kit.context(request, reply),
      await practices.list({ limit: 100 }),
      await neighborPractices(deps, 50),
      done === "published" || done === "withdrawn" ? done : undefined,
    );
    return kit.send(request, reply, page);
  });

  app.get("/practices/new", { preHandler: coordinator }, async (request, reply) => {
    const adapt = text(request.query as FormFields, "adapt");
    if (!adapt) return show(request, reply, { values: {} });
    const origin = (await neighborPractices(deps, 200)).find((item) => item.iri === adapt);
    if (!origin)
      throw new ProblemError({ status: 404, title: "Not Found", detail: `no practice ${adapt} in the view` });
    const values: PracticeValues = {
      title: origin.name,
      summary: htmlToText(origin.summary),
      body: markdownOf(await viewContent(deps, origin.iri)),
      tags: (origin.tags ?? []).join(" "),
      adaptedFrom: origin.iri,
    };
    return show(request, reply, { values, adapting: origin.name });
  });

  app.post("/practices", { preHandler: coordinator }, async (request, reply) => {
    const fields = request.body as FormFields | undefined;
    const form = readForm(fields);
    if (form.errors) return show(request, reply, form);
    if (text(fields, "action") === "preview")
      return show(request, reply, { values: form.values, preview: renderMarkdown(form.input!.body ?? "") });
    const row = await practices.create({ ...form.input!, language: kit.context(request, reply).locale });
    audit(request.appMember!.id, "practice.publish", row.id);
    return reply.redirect("/app/practices?done=published", 303);
  });

  app.get<IdParams>("/practices/:id", { preHandler: coordinator }, async (request, reply) => {
    const practice = await practices.get(request.params.id);
    if (practice.status === "withdrawn")
      return kit.send(request, reply, withdrawnPracticePage(kit.context(request, reply), practice));
    const values: PracticeValues = {
      ...practice,
      tags: practice.tags.join(" "),
      adaptedFrom: practice.adaptedFrom ?? "",
    };
    return show(request, reply, { values, practice, lesson: await lessonOf?.(practice.id) });
  });

  // Saving goes through the practices service, which sends followers the Update.
  app.post<IdParams>("/practices/:id", { preHandler: coordinator }, async (request, reply) => {
    const practice = await practices.get(request.params.id);
    if (practice.status === "withdrawn") return reply.redirect(`/app/practices/${practice.id}`, 303);
    const fields = request.body as FormFields | undefined;
    const form = readForm(fields);
    if (form.errors) return show(request, reply, { ...form, practice });
    if (text(fields, "action") === "preview")
      return show(request, reply, { values: form.values, practice, preview: renderMarkdown(form.input!.body ?? "") });
    const { adaptedFrom, ...input } = form.input!;
    await practices.update(practice.id, {
      ...input,
      body: input.body ?? "",
      tags: input.tags ?? [],
      problem: input.problem ?? "",
      outcomes: input.outcomes ?? "",
      adaptedFrom: adaptedFrom ?? null,
    });
    audit(request.appMember!.id, "practice.update", practice.id);
    return reply.redirect("/app/practices?done=published", 303);
  });

  app.post<IdParams>("/practices/:id/withdraw", { preHandler: coordinator }, async (request, reply) => {
    const practice = await practices.get(request.params.id);
    if (practice.status !== "withdrawn") await practices.withdraw(practice.id);
    audit(request.appMember!.id, "practice.withdraw", practice.id);
    return reply.redirect("/app/practices?done=withdrawn", 303);
  });
}

/** The HTML content of one practice in the view (the list leaves content out). */
async function viewContent(deps: PodDeps, iri: string): Promise<string> {
  const { rows } = await viewPage(viewOf(deps), { kind: "practice", sort: "newest", limit: 200 }, "view");
  return rows.find((row) => row.iri === iri)?.content ?? "";
}
