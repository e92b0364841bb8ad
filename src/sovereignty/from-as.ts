import { isDeepStrictEqual } from "node:util";
import { z } from "zod";
import { roomsOf } from "../db/room-db.ts";
import { followsOf } from "../follows/room.ts";
import { projectNeighborReport } from "../social/neighbor-posts.ts";
import type { PodDeps } from "../federation/deps.ts";
import { belongsTo } from "../federation/iri.ts";
import type { VerifiedInbox } from "../federation/signature-guard.ts";
import { addMonths, MONTH, monthIn } from "./months.ts";
import { type PodMonthFigures, type ReceivedFigure, totalsStore } from "./totals-store.ts";
import { REPORT_CONTEXT } from "./vocab.ts";

const iri = z.url({ protocol: /^https?$/ }).max(2048);
const decimal = z.string().regex(/^\d{1,12}(\.\d{1,3})?$/);
const instant = z.iso.datetime({ offset: true });

/** A unit is a word or two ("meal", "kWh", "h"): never markup or a spreadsheet formula. */
const UNIT = z.string().regex(/^[\p{L}\p{N}][\p{L}\p{N} ._/-]{0,63}$/u);

const figureSchema = z.object({
  type: z.literal("EconomicEvent"),
  action: z.string().max(64),
  provider: iri,
  resourceConformsTo: iri,
  resourceQuantity: z.object({ type: z.literal("Measure"), hasUnit: UNIT, hasNumericalValue: decimal }).optional(),
  effortQuantity: z
    .object({ type: z.literal("Measure"), hasUnit: UNIT.or(z.literal("")), hasNumericalValue: decimal })
    .optional(),
  fewerThan: z.number().int().min(1).max(1000).optional(),
  hasBeginning: instant,
  hasEnd: instant,
  period: z.string().regex(MONTH),
});

/** What marks an Article as a monthly report: its period, a PropertyValue Fedify also reads (see kindOf). */
const periodSchema = z.object({
  type: z.literal("PropertyValue"),
  name: z.literal("period"),
  value: z.string().regex(MONTH),
});

const reportSchema = z.object({
  id: iri,
  type: z.literal("Article"),
  attributedTo: iri,
  name: z.string().max(500).optional(),
  content: z.string().max(200_000).optional(),
  updated: instant.optional(),
  published: instant,
  attachment: z.array(z.unknown()).max(200),
});

type ParsedReport = z.infer<typeof reportSchema>;

/**
 * A followed pod's report Article (compact JSON of REPORT_CONTEXT) with its month, or null when this is not a
 * report written by that actor on its own origin.
 */
export function parseReport(object: unknown, actorIri: string): { report: ParsedReport; month: string } | null {
  const parsed = reportSchema.safeParse(object);
  if (!parsed.success) return null;
  const report = parsed.data;
  if (!belongsTo(actorIri, report.id, report.attributedTo)) return null;
  const month = report.attachment.map((item) => periodSchema.safeParse(item)).find((p) => p.success)?.data?.value;
  return month ? { report, month } : null;
}

/**
 * The figures to store from a report: those of its own month, provided by its actor. Null for a month that
 * has not begun anywhere yet (it would move the view's default window).
 */
export function reportFigures(
  deps: PodDeps,
  actorIri: string,
  { report, month }: NonNullable<ReturnType<typeof parseReport>>,
): PodMonthFigures | null {
  if (month > addMonths(monthIn(deps.now(), "UTC"), 1)) return null;
  const figures = report.attachment.flatMap((item) => {
    const figure = figureSchema.safeParse(item);
    if (!figure.success && (item as { type?: unknown })?.type === "EconomicEvent")
      deps.log.warn(
        { report: report.id, reason: figure.error.issues[0]?.message, path: figure.error.issues[0]?.path },
        "refused a report figure",
      );
    return figure.success ? [figure.data] : [];
  });
  const received: ReceivedFigure[] = figures
    .filter((f) => f.period === month && f.provider === actorIri)
    .map((f) => ({
      metricIri: f.resourceConformsTo,
      unit: f.resourceQuantity?.hasUnit ?? "",
      quantityMilli: f.resourceQuantity ? Math.round(Number(f.resourceQuantity.hasNumericalValue) * 1000) : null,
      fewerThan: f.resourceQuantity ? null : (f.fewerThan ?? 1),
    }));
  return {
    podIri: actorIri,
    month,
    reportIri: report.id,
    version: report.updated ?? report.published,
    figures: received,
    at: deps.now(),
  };
}

/**
 * Stores a report's figures (replacing that pod's month) and, when it is the newest version, the post the
 * operator's apps show for it (neighbor pods send the Article, not the readable Note).
 */
export async function storeReport(
  deps: PodDeps,
  parsed: NonNullable<ReturnType<typeof parseReport>>,
  input: PodMonthFigures,
): Promise<boolean> {
  const stored = await totalsStore(roomsOf(deps)).replaceFigures(input);
  // The social room's post is a write of its own, after the figures' write.
  const { report } = parsed;
  if (stored)
    await projectNeighborReport(roomsOf(deps), {
      podIri: input.podIri,
      iri: report.id,
      name: report.name ?? report.id,
      content: report.content ?? "",
      published: report.published,
      updated: report.updated ?? null,
    });
  return stored;
}

const REPORT_TERMS_COUNT = Object.keys(REPORT_CONTEXT.at(-1)!).length;
/**
 * What deep equality with REPORT_CONTEXT needs, cheap enough for every delivery: the offers' context (same length,
 * fewer terms in its last entry) is told apart without isDeepStrictEqual, which cost 2.2% of a pod's delivery.
 */
const mayBeReportContext = (context: unknown): boolean => {
  if (!Array.isArray(context) || context.length !== REPORT_CONTEXT.length) return false;
  const terms = context.at(-1);
  return !!terms && typeof terms === "object" && Object.keys(terms).length === REPORT_TERMS_COUNT;
};

/**
 * The inbox's path for followed pods' monthly reports: the Article's structured figures, read from the compact
 * JSON of REPORT_CONTEXT (Fedify's classes drop EconomicEvents). The signature guard has verified the request;
 * this takes only a Create or Update whose actor wrote the report, from a pod this pod follows. Anything else
 * goes on to the other paths unchanged. The figures replace what that pod said for that month before.
 */
export function reportInbox(deps: PodDeps, refuses: (iri: string) => boolean) {
  return async function handle({ activity, actorIri }: VerifiedInbox): Promise<boolean> {
    if (activity.type !== "Create" && activity.type !== "Update") return false;
    if (!mayBeReportContext(activity["@context"]) || !isDeepStrictEqual(activity["@context"], REPORT_CONTEXT)) {
      return false;
    }
    if (activity.actor !== actorIri) return false;
    const parsed = parseReport(activity.object, actorIri);
    if (!parsed) return false;
    // Taken from here on: a report from a pod not followed (or refused) is read and dropped, unlogged.
    if ((await followsOf(deps).store.getFollowing(actorIri))?.state !== "accepted" || refuses(actorIri)) return true;
    const input = reportFigures(deps, actorIri, parsed);
    if (!input) return true;
    const stored = await storeReport(deps, parsed, input);
    deps.log.debug(
      { report: input.reportIri, month: input.month, stored, figures: input.figures.length },
      "sovereignty report received",
    );
    return true;
  };
}
