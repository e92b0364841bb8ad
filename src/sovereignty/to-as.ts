import type { Context } from "@fedify/fedify";
import { Note, PropertyValue } from "@fedify/vocab";
import type { Config } from "../config/schema.ts";
import { toInstant } from "../federation/deps.ts";
import { forPeople, forPods, objectLink, publicAddressing, type Delivery } from "../publishing/deliver.ts";
import { inLanguage, paragraphs } from "../publishing/text.ts";
import { PodCreate, PodUpdate } from "../publishing/vocab.ts";
import { escapeHtml } from "../web/html.ts";
import type { Report } from "./model-report.ts";
import { formatMilli } from "./model.ts";
import { isSmall, liberatedMilli, type MetricFigure } from "./report.ts";
import { ReportArticle, ReportCreate, ReportUpdate, setFigures, type WireFigure } from "./vocab.ts";

export const reportPath = (row: Pick<Report, "id">) => `/reports/${row.id}`;
export const reportIri = (config: Config, row: Pick<Report, "id">) => new URL(reportPath(row), config.url);
export const reportNoteIri = (config: Config, row: Pick<Report, "id">) =>
  new URL(`${reportPath(row)}/note`, config.url);

const WORDS = {
  en: {
    title: "Sovereignty report: {month}",
    gist: "What the pod did without outside institutions in {month}.",
    fewer: "fewer than {n}",
    was: "{n} the month before",
    liberated: "Hours of life liberated: {hours} (weights: {weights}; not counting figures shown as “fewer than”).",
    next: "Next service: {name} (target {target}). Still needed: {needs}.",
    offers: "Offers given: {given}; claimed: {claimed}. Needs met: {met}; unmet: {unmet}.",
    practice:
      "Roles changed hands {roles} times; circles held: {circles}; decisions published: {decisions}; lessons: {lessons}.",
    read: "Read the report",
    people: "{n} people",
    none: "nothing",
  },
  es: {
    title: "Informe de soberanía: {month}",
    gist: "Lo que el pod hizo sin instituciones externas en {month}.",
    fewer: "menos de {n}",
    was: "{n} el mes anterior",
    liberated: "Horas de vida liberadas: {hours} (pesos: {weights}; sin contar las cifras «menos de»).",
    next: "Próximo servicio: {name} (meta {target}). Falta: {needs}.",
    offers: "Ofertas dadas: {given}; tomadas: {claimed}. Necesidades cubiertas: {met}; sin cubrir: {unmet}.",
    practice:
      "Los roles cambiaron de manos {roles} veces; círculos: {circles}; decisiones publicadas: {decisions}; aprendizajes: {lessons}.",
    read: "Leer el informe",
    people: "{n} personas",
    none: "nada",
  },
} as const;

type Language = keyof typeof WORDS;
const languageOf = (row: Report): Language => (row.language === "es" ? "es" : "en");
const fill = (text: string, params: Record<string, string | number>) =>
  text.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? ""));

/** A count as published: the number, or "fewer than N" when it could point at a household. */
export function publishedCount(milli: number, threshold: number, language: Language): string {
  return isSmall(milli, threshold) ? fill(WORDS[language].fewer, { n: threshold }) : formatMilli(milli);
}

/** The report's lines in plain words: each figure with last month's, the hours liberated with the weights. */
export function reportLines(row: Report): string[] {
  const lang = languageOf(row);
  const w = WORDS[lang];
  const { figures } = row;
  const count = (milli: number) => publishedCount(milli, figures.threshold, lang);
  const shown = (m: MetricFigure) => !isSmall(m.quantityMilli, figures.threshold);
  const lines = figures.metrics.map(
    (m) => `${m.labels[lang]}: ${count(m.quantityMilli)} ${m.unit} (${fill(w.was, { n: count(m.previousMilli) })})`,
  );
  const counted = figures.metrics.filter(shown);
  const hours = counted.reduce((sum, m) => sum + liberatedMilli(m.quantityMilli, m.weightMilli), 0);
  const weights = counted.map((m) => `${m.labels[lang]} ${formatMilli(m.weightMilli)} h/${m.unit}`).join(", ");
  lines.push(fill(w.liberated, { hours: formatMilli(hours), weights: weights || w.none }));
  if (figures.next) {
    const { people, skills, materials } = figures.next.needs;
    const needs = [people > 0 ? fill(w.people, { n: people }) : "", ...skills, ...materials].filter(Boolean);
    lines.push(fill(w.next, { ...figures.next, needs: needs.join(", ") || w.none }));
  }
  const o = figures.offers;
  lines.push(
    fill(w.offers, {
      given: count(o.offersGiven * 1000),
      claimed: count(o.offersClaimed * 1000),
      met: count(o.needsMet * 1000),
      unmet: count(o.needsUnmet * 1000),
    }),
  );
  const p = figures.practice;
  if (p.rolesRotated !== null) {
    lines.push(
      fill(w.practice, {
        roles: p.rolesRotated,
        circles: p.circlesHeld ?? 0,
        decisions: p.decisions ?? 0,
        lessons: p.lessons ?? 0,
      }),
    );
  }
  return lines;
}

export const reportTitle = (row: Report) => fill(WORDS[languageOf(row)].title, { month: row.month });

export function reportHtml(row: Report): string {
  return (
    paragraphs(escapeHtml(row.intro)) +
    `<ul>${reportLines(row)
      .map((line) => `<li>${escapeHtml(line)}</li>`)
      .join("")}</ul>` +
    paragraphs(escapeHtml(row.progress))
  );
}

/** The structured figures: one EconomicEvent per metric type, small counts as "fewer than" with no number. */
export function wireFigures(ctx: Context<null>, config: Config, row: Report): WireFigure[] {
  const { figures } = row;
  const provider = ctx.getActorUri(config.handle).href;
  return figures.metrics.map((m) => {
    const small = isSmall(m.quantityMilli, figures.threshold);
    return {
      type: "EconomicEvent",
      action: "deliverService",
      provider,
      resourceConformsTo: m.iri,
      ...(small
        ? { fewerThan: figures.threshold }
        : {
            resourceQuantity: { type: "Measure", hasUnit: m.unit, hasNumericalValue: formatMilli(m.quantityMilli) },
            ...(m.effortMilli > 0
              ? {
                  effortQuantity: {
                    type: "Measure",
                    hasUnit: "hour",
                    hasNumericalValue: formatMilli(m.effortMilli),
                  } as const,
                }
              : {}),
          }),
      hasBeginning: figures.start,
      hasEnd: figures.end,
      period: figures.month,
    };
  });
}

/** The report as an Article: name and summary carry the gist for Mastodon; the figures ride in `attachment`. */
export function reportToArticle(ctx: Context<null>, config: Config, row: Report): ReportArticle {
  const id = reportIri(config, row);
  const article = new ReportArticle({
    id,
    url: id,
    attribution: ctx.getActorUri(config.handle),
    ...publicAddressing(ctx, config),
    name: reportTitle(row),
    summary: escapeHtml(fill(WORDS[languageOf(row)].gist, { month: row.month })),
    contents: inLanguage(reportHtml(row), row.language),
    attachments: [new PropertyValue({ name: "period", value: row.month })],
    published: toInstant(new Date(row.publishedAt ?? row.updatedAt)),
    updated: row.revision > 1 ? toInstant(new Date(row.updatedAt)) : null,
  });
  setFigures(id, wireFigures(ctx, config, row));
  return article;
}

/** The readable post people's servers get: title, the lines, a link; no name or summary (see practices). */
export function reportToNote(ctx: Context<null>, config: Config, row: Report): Note {
  const id = reportIri(config, row);
  const content =
    `<p><strong>${escapeHtml(reportTitle(row))}</strong></p>` +
    paragraphs(escapeHtml(row.intro)) +
    `<p>${reportLines(row).map(escapeHtml).join("<br>")}</p>` +
    `<p>${WORDS[languageOf(row)].read}: <a href="${escapeHtml(id.href)}">${escapeHtml(id.href)}</a></p>`;
  return new Note({
    id: reportNoteIri(config, row),
    url: id,
    attribution: ctx.getActorUri(config.handle),
    ...publicAddressing(ctx, config),
    contents: inLanguage(content, row.language),
    tags: [objectLink(id, reportTitle(row))],
    published: toInstant(new Date(row.publishedAt ?? row.updatedAt)),
    updated: row.revision > 1 ? toInstant(new Date(row.updatedAt)) : null,
  });
}

/**
 * First publication: a Create; a corrected report: an Update that replaces the earlier one. The Article for
 * pods, the Note for people.
 */
export function reportActivities(ctx: Context<null>, config: Config, row: Report, now: Date): Delivery[] {
  const actor = ctx.getActorUri(config.handle);
  const addressing = publicAddressing(ctx, config);
  const article = reportToArticle(ctx, config, row);
  const note = reportToNote(ctx, config, row);
  const verb = row.revision > 1 ? "update" : "create";
  const activityId = (object: { id: URL | null }) => new URL(`${object.id!.href}#${verb}-r${row.revision}`);
  const forArticle =
    verb === "create"
      ? new ReportCreate({
          id: activityId(article),
          actor,
          object: article,
          ...addressing,
          published: article.published,
        })
      : new ReportUpdate({ id: activityId(article), actor, object: article, ...addressing, updated: toInstant(now) });
  const forNote =
    verb === "create"
      ? new PodCreate({ id: activityId(note), actor, object: note, ...addressing, published: note.published })
      : new PodUpdate({ id: activityId(note), actor, object: note, ...addressing, updated: toInstant(now) });
  return [forPods(forArticle), forPeople(forNote)];
}
