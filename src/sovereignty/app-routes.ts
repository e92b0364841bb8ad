import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Config } from "../config/schema.ts";
import { text, type FormFields } from "../webapp/form-body.ts";
import type { FieldErrors } from "../webapp/html.ts";
import type { MessageKey } from "../webapp/i18n/index.ts";
import type { AppKit } from "../webapp/plugin.ts";
import {
  correctionPage,
  type EntryValues,
  importPage,
  ledgerPage,
  reportPage,
  reportsPage,
  weightsPage,
} from "./app-pages.ts";
import { metricTypesPage } from "./app-types-page.ts";
import { METRIC_FORM_FIELDS, type MetricFormValues, readMetricTypeForm } from "./metric-form.ts";
import { type EntryProblem, formatMilli, parseMilli } from "./model.ts";
import { dayIn, monthIn } from "./months.ts";
import { liberatedMilli } from "./report.ts";
import type { SovereigntyService } from "./service.ts";
import { reportPath } from "./to-as.ts";

interface Options {
  kit: AppKit;
  audit: (memberId: string, action: string, subject: string) => void;
  sovereignty: SovereigntyService;
  charterServices: () => { key: string; name: string }[];
  config: Config;
  now: () => Date;
}

const ENTRY_FIELDS = ["metric", "date", "quantity", "hours", "service", "note"] as const;
/** The CSV box takes at most this much text (about 2,000 rows). */
const CSV_MAX_CHARS = 200_000;

const entryValues = (fields: FormFields | undefined): EntryValues =>
  Object.fromEntries(ENTRY_FIELDS.map((name) => [name, text(fields, name)]));

const fieldErrors = (problems: EntryProblem[]): FieldErrors =>
  Object.fromEntries(problems.map((p) => [p.column, `sov.error.${p.column}` as MessageKey]));

/** The ledger (members), its weights (coordinators change them) and the monthly reports (coordinators). */
export async function sovereigntyPages(app: FastifyInstance, options: Options) {
  const { kit, audit, sovereignty, charterServices, config, now } = options;
  const member = kit.guard("member");
  const coordinator = kit.guard("coordinator");
  type IdParams = { Params: { id: string } };
  const by = (request: FastifyRequest) => ({ source: "app" as const, enteredBy: request.appMember!.id });

  async function ledger(request: FastifyRequest, reply: FastifyReply, values: EntryValues, errors?: FieldErrors) {
    const ctx = kit.context(request, reply);
    const types = await sovereignty.metricTypes();
    const month = monthIn(now(), config.timeZone);
    const entries = await sovereignty.entries({ from: `${month}-01`, limit: 10_000 });
    const totals = new Map<string, number>();
    for (const entry of entries) totals.set(entry.metric, (totals.get(entry.metric) ?? 0) + entry.quantityMilli);
    const used = types.filter((type) => totals.has(type.slug));
    const done = text(request.query as FormFields, "done");
    const notices: Record<string, string> = {
      added: ctx.t("sov.entry.added"),
      corrected: ctx.t("sov.entry.corrected"),
      imported: ctx.t("sov.entry.imported", { count: Number(text(request.query as FormFields, "count")) || 0 }),
    };
    return kit.send(
      request,
      reply,
      ledgerPage(ctx, {
        types,
        services: charterServices(),
        entries: await sovereignty.entries({ limit: 30 }),
        values,
        errors,
        notice: notices[done],
        coordinator: request.appMember?.role === "coordinator",
        liberated: {
          hoursMilli: used.reduce((sum, type) => sum + liberatedMilli(totals.get(type.slug)!, type.weightMilli), 0),
          weights:
            used.map((type) => `${type.labels[ctx.locale]} ${formatMilli(type.weightMilli)}/${type.unit}`).join(", ") ||
            "—",
        },
      }),
    );
  }

  app.get("/sovereignty", { preHandler: member }, async (request, reply) =>
    ledger(request, reply, { date: dayIn(now(), config.timeZone), metric: "meals-prepared" }),
  );

  app.post("/sovereignty/entries", { preHandler: member }, async (request, reply) => {
    const values = entryValues(request.body as FormFields | undefined);
    const result = await sovereignty.addEntry(values as Record<string, string>, by(request));
    if (!result.entry) return ledger(request, reply, values, fieldErrors(result.problems));
    audit(request.appMember!.id, "sovereignty.entry", result.entry.id);
    return reply.redirect("/app/sovereignty?done=added", 303);
  });

  async function correction(
    request: FastifyRequest<IdParams>,
    reply: FastifyReply,
    values?: EntryValues,
    errors?: FieldErrors,
  ) {
    const history = await sovereignty.history(request.params.id);
    const entry = history[0]!;
    const shown: EntryValues = values ?? {
      metric: entry.metric,
      date: entry.date,
      quantity: formatMilli(entry.quantityMilli),
      hours: entry.effortMilli === null ? "" : formatMilli(entry.effortMilli),
      service: entry.service ?? "",
      note: entry.note,
    };
    const page = correctionPage(kit.context(request, reply), {
      entry,
      history,
      types: await sovereignty.metricTypes(),
      services: charterServices(),
      values: shown,
      errors,
    });
    return kit.send(request, reply, page);
  }

  app.get<IdParams>("/sovereignty/entries/:id", { preHandler: member }, async (request, reply) =>
    correction(request, reply),
  );

  app.post<IdParams>("/sovereignty/entries/:id", { preHandler: member }, async (request, reply) => {
    const values = entryValues(request.body as FormFields | undefined);
    const result = await sovereignty.correct(request.params.id, values as Record<string, string>, by(request));
    if (!result.entry) return correction(request, reply, values, fieldErrors(result.problems));
    audit(request.appMember!.id, "sovereignty.correct", result.entry.id);
    return reply.redirect("/app/sovereignty?done=corrected", 303);
  });

  app.get("/sovereignty/import", { preHandler: member }, async (request, reply) =>
    kit.send(
      request,
      reply,
      importPage(kit.context(request, reply), { csv: "metric,date,quantity,hours,service,note\n" }),
    ),
  );

  app.post("/sovereignty/import", { preHandler: member }, async (request, reply) => {
    const csv = text(request.body as FormFields | undefined, "csv");
    const result =
      csv.length > CSV_MAX_CHARS
        ? {
            entries: [],
            problems: [
              {
                column: "csv",
                code: "tooLong" as const,
                params: { max: CSV_MAX_CHARS },
                message: `longer than ${CSV_MAX_CHARS} characters`,
              },
            ],
          }
        : await sovereignty.importCsv(csv, { source: "csv", enteredBy: request.appMember!.id });
    if (result.problems.length > 0)
      return kit.send(request, reply, importPage(kit.context(request, reply), { csv, problems: result.problems }));
    audit(request.appMember!.id, "sovereignty.import", String(result.entries.length));
    return reply.redirect(`/app/sovereignty?done=imported&count=${result.entries.length}`, 303);
  });

  async function weights(request: FastifyRequest, reply: FastifyReply, errors?: FieldErrors, notice?: string) {
    const page = weightsPage(kit.context(request, reply), {
      types: await sovereignty.metricTypes(),
      threshold: await sovereignty.threshold(),
      coordinator: request.appMember?.role === "coordinator",
      errors,
      notice,
    });
    return kit.send(request, reply, page);
  }

  app.get("/sovereignty/weights", { preHandler: member }, async (request, reply) => {
    const saved = text(request.query as FormFields, "done") === "saved";
    return weights(request, reply, undefined, saved ? kit.context(request, reply).t("sov.weights.saved") : undefined);
  });

  app.post("/sovereignty/weights", { preHandler: coordinator }, async (request, reply) => {
    const fields = request.body as FormFields | undefined;
    const errors: FieldErrors = {};
    const changes: { slug: string; milli: number; reason: string }[] = [];
    for (const type of await sovereignty.metricTypes()) {
      const raw = text(fields, `w-${type.slug}`);
      if (!raw) continue;
      const milli = parseMilli(raw);
      if (milli === null) errors[`w-${type.slug}`] = "sov.weights.error";
      else changes.push({ slug: type.slug, milli, reason: text(fields, `r-${type.slug}`).trim().slice(0, 300) });
    }
    const threshold = Number(text(fields, "threshold"));
    if (!Number.isInteger(threshold) || threshold < 1 || threshold > 100) errors.threshold = "sov.weights.error";
    if (Object.keys(errors).length > 0) return weights(request, reply, errors);
    for (const change of changes) await sovereignty.setWeight(change.slug, change.milli, change.reason);
    await sovereignty.setThreshold(threshold);
    audit(request.appMember!.id, "sovereignty.weights", String(changes.length));
    return reply.redirect("/app/sovereignty/weights?done=saved", 303);
  });

  async function types(request: FastifyRequest, reply: FastifyReply, values: MetricFormValues, errors?: FieldErrors) {
    const ctx = kit.context(request, reply);
    const added = text(request.query as FormFields, "done") === "added";
    const page = metricTypesPage(ctx, {
      types: await sovereignty.metricTypes(),
      coordinator: request.appMember?.role === "coordinator",
      values,
      errors,
      notice: added ? ctx.t("sov.type.added") : undefined,
    });
    return kit.send(request, reply, page);
  }

  app.get("/sovereignty/types", { preHandler: member }, async (request, reply) =>
    types(request, reply, { weight: "0" }),
  );

  app.post("/sovereignty/types", { preHandler: coordinator }, async (request, reply) => {
    const fields = request.body as FormFields | undefined;
    const values: MetricFormValues = Object.fromEntries(METRIC_FORM_FIELDS.map((name) => [name, text(fields, name)]));
    const taken = new Set((await sovereignty.metricTypes()).map((type) => type.slug));
    const read = readMetricTypeForm(values, taken);
    if (!read.input) return types(request, reply, values, read.errors);
    const type = await sovereignty.addMetricType(read.input);
    audit(request.appMember!.id, "sovereignty.type", type.slug);
    return reply.redirect("/app/sovereignty/types?done=added", 303);
  });

  app.get("/sovereignty/reports", { preHandler: coordinator }, async (request, reply) =>
    kit.send(request, reply, reportsPage(kit.context(request, reply), { reports: await sovereignty.list() })),
  );

  app.post("/sovereignty/reports/draft", { preHandler: coordinator }, async (request, reply) => {
    const report = await sovereignty.draftFor(now(), kit.context(request, reply).locale);
    audit(request.appMember!.id, "sovereignty.report.draft", report.id);
    return reply.redirect(`/app/sovereignty/reports/${report.id}`, 303);
  });

  app.get<IdParams>("/sovereignty/reports/:id", { preHandler: coordinator }, async (request, reply) => {
    const report = await sovereignty.refreshDraft(request.params.id);
    const ctx = kit.context(request, reply);
    const done = text(request.query as FormFields, "done");
    const notice =
      done === "saved" ? ctx.t("sov.report.saved") : done === "published" ? ctx.t("sov.report.published") : undefined;
    return kit.send(request, reply, reportPage(ctx, { report, notice, path: reportPath(report) }));
  });

  app.post<IdParams>("/sovereignty/reports/:id", { preHandler: coordinator }, async (request, reply) => {
    const fields = request.body as FormFields | undefined;
    const language = text(fields, "language") === "es" ? "es" : "en";
    const report = await sovereignty.edit(request.params.id, {
      intro: text(fields, "intro").slice(0, 2000),
      progress: text(fields, "progress").slice(0, 2000),
      language,
    });
    if (text(fields, "action") !== "publish")
      return reply.redirect(`/app/sovereignty/reports/${report.id}?done=saved`, 303);
    await sovereignty.publish(report.id);
    audit(request.appMember!.id, "sovereignty.report.publish", report.id);
    return reply.redirect(`/app/sovereignty/reports/${report.id}?done=published`, 303);
  });
}
