import type { Context } from "@fedify/fedify";
import { uuidv7 } from "uuidv7";
import type { ChartersService } from "../charters/service.ts";
import { withEventIds, type EventDispatcher } from "../events/dispatcher.ts";
import type { PodDeps } from "../federation/deps.ts";
import { badRequest, conflict, notFound } from "../http/problem.ts";
import { offerCountsBetween } from "../offers/service.ts";
import { actorIri } from "../publishing/iris.ts";
import { sendToFollowers } from "../publishing/deliver.ts";
import { roomsOf } from "../db/room-db.ts";
import { readCsv, readEntry } from "./ledger.ts";
import type { Entry, EntryProblem } from "./model.ts";
import type { Report } from "./model-report.ts";
import { addMonths, monthBounds, monthIn } from "./months.ts";
import { backfillReports } from "./backfill.ts";
import { draftFigures, isSmall, type ReportFigures } from "./report.ts";
import { ledgerStore, type MetricTypeInput } from "./store-ledger.ts";
import { reportsStore } from "./store-reports.ts";
import { reportActivities, reportIri, reportLines, reportPath } from "./to-as.ts";
import { type PodMonthFigures, type ReceivedFigure, totalsStore } from "./totals-store.ts";

export type { Report } from "./model-report.ts";
export { DEFAULT_THRESHOLD } from "./store-ledger.ts";
const REPORT_PUBLISHED = "sovereignty.report.published";

type EntryMeta = { source: Entry["source"]; enteredBy: string };

/** The ledger, weights and monthly reports of the sovereignty room. */
export function sovereigntyService(
  deps: PodDeps,
  contextFor: () => Context<null>,
  events: EventDispatcher,
  charters: Pick<ChartersService, "current" | "review">,
  /** The month's counts from the rotation, care and memory rooms (wired in pod.ts). */
  practiceCounts: (
    month: string,
    bounds: { start: string; end: string },
  ) => ReportFigures["practice"] | Promise<ReportFigures["practice"]> = () => ({
    rolesRotated: null,
    circlesHeld: null,
    decisions: null,
    lessons: null,
  }),
) {
  const { config } = deps;
  const zone = () => config.timeZone;
  const rooms = roomsOf(deps);
  const ledger = ledgerStore(rooms, config);
  const reports = reportsStore(rooms);
  const totals = totalsStore(rooms);

  events.on(REPORT_PUBLISHED, async ({ id }: { id: string }, event) => {
    const row = await get(id);
    const ctx = contextFor();
    const activities = withEventIds(reportActivities(ctx, config, row, deps.now()), event.id);
    await sendToFollowers(ctx, deps, activities, reportIri(config, row).href);
  });

  async function known() {
    const charter = charters.current();
    return {
      metrics: new Set((await ledger.metricTypes()).map((t) => t.slug)),
      services: new Set([...(charter?.services ?? []), ...(charter?.planned ?? [])].map((s) => s.key)),
    };
  }

  async function get(id: string): Promise<Report> {
    const row = await reports.byId(id);
    if (!row) throw notFound(`no report ${id}`);
    return row;
  }

  async function figuresFor(month: string) {
    const charter = charters.current();
    const bounds = monthBounds(month, zone());
    const planned = charter?.planned[0];
    return draftFigures({
      month,
      zone: zone(),
      bounds,
      threshold: await ledger.threshold(),
      types: await ledger.metricTypes(),
      totals: await ledger.monthTotals(month),
      previous: await ledger.monthTotals(addMonths(month, -1)),
      services: [...(charter?.services ?? []), ...(charter?.planned ?? [])].map((s) => ({ key: s.key, name: s.name })),
      next: planned ? { key: planned.key, name: planned.name, target: planned.target, needs: planned.needs } : null,
      offers: await offerCountsBetween(rooms, new Date(bounds.start).toISOString(), new Date(bounds.end).toISOString()),
      practice: await practiceCounts(month, bounds),
    });
  }

  /** A draft's figures follow the ledger until it is published (a draft made at the month's start, then filled). */
  async function refreshDraft(id: string): Promise<Report> {
    const row = await get(id);
    if (row.status !== "draft") return row;
    const figures = await figuresFor(row.month);
    return (await reports.update(id, { figures })) ?? row;
  }

  /** This pod's published figures, in the same table as its neighbors' (the view's totals read one table). */
  function ownFigures(row: Report): PodMonthFigures {
    const figures: ReceivedFigure[] = row.figures.metrics.map((m) => {
      const small = isSmall(m.quantityMilli, row.figures.threshold);
      return {
        metricIri: m.iri,
        unit: m.unit,
        quantityMilli: small ? null : m.quantityMilli,
        fewerThan: small ? row.figures.threshold : null,
      };
    });
    return {
      podIri: actorIri(config).href,
      month: row.month,
      reportIri: reportIri(config, row).href,
      version: row.updatedAt,
      figures,
      at: deps.now(),
    };
  }

  return {
    metricTypes: () => ledger.metricTypes(),
    /** A newly followed pod's earlier reports join the totals (read in the background after its Accept). */
    backfill: (podIri: string, refuses: (iri: string) => boolean) =>
      backfillReports(deps, contextFor(), podIri, refuses),
    /** A neighbor's figures leave the totals (it was unfollowed). */
    forgetPod: (podIri: string) => totals.dropPodFigures(podIri),
    /** Every pod's stored report figures (the assemblies' agenda reads each pod's latest). */
    storedFigures: () => totals.storedFigures(),
    addMetricType: (input: MetricTypeInput) => ledger.addMetricType(input, deps.now()),
    async setWeight(metric: string, hoursPerUnitMilli: number, reason: string): Promise<void> {
      if (!(await known()).metrics.has(metric)) throw notFound(`no metric type ${metric}`);
      await ledger.setWeight(metric, hoursPerUnitMilli, reason, deps.now());
    },
    threshold: () => ledger.threshold(),
    setThreshold: (value: number) => ledger.setThreshold(value),
    known,

    /** One entry from raw values; problems name the field. */
    async addEntry(raw: Record<string, string>, meta: EntryMeta): Promise<{ entry?: Entry; problems: EntryProblem[] }> {
      const read = readEntry(raw, await known());
      if (!read.input) return { problems: read.problems };
      return { entry: (await ledger.insertEntries([read.input], { ...meta, now: deps.now() }))[0]!, problems: [] };
    },
    /** CSV rows, all or none. */
    async importCsv(text: string, meta: EntryMeta): Promise<{ entries: Entry[]; problems: EntryProblem[] }> {
      const read = readCsv(text, await known());
      if (read.problems.length > 0) return { entries: [], problems: read.problems };
      return { entries: await ledger.insertEntries(read.inputs, { ...meta, now: deps.now() }), problems: [] };
    },
    async correct(
      id: string,
      raw: Record<string, string>,
      meta: EntryMeta,
    ): Promise<{ entry?: Entry; problems: EntryProblem[] }> {
      const read = readEntry(raw, await known());
      if (!read.input) return { problems: read.problems };
      return { entry: await ledger.correctEntry(id, read.input, { ...meta, now: deps.now() }), problems: [] };
    },
    history: (id: string) => ledger.entryHistory(id),
    entries: (range: { from?: string; to?: string; limit?: number } = {}) => ledger.currentEntries(range),

    /** The month the next report covers, seen from `now`: the previous month in the pod's time zone. */
    reportMonth: (now: Date) => addMonths(monthIn(now, zone()), -1),

    /**
     * Drafts the report for the month before `now` (pod's zone), or for an earlier month the pod did not report,
     * unless there is one; returns it.
     */
    async draftFor(now: Date, language = "en", month = addMonths(monthIn(now, zone()), -1)): Promise<Report> {
      if (month >= monthIn(now, zone())) throw badRequest(`${month} has not ended yet`, "month");
      const existing = await reports.byMonth(month);
      if (existing) return existing.status === "draft" ? refreshDraft(existing.id) : existing;
      const at = now.toISOString();
      const figures = await figuresFor(month);
      return reports.insertDraft({
        id: uuidv7(),
        month,
        status: "draft",
        figures,
        intro: "",
        progress: "",
        language,
        revision: 0,
        createdAt: at,
        updatedAt: at,
        publishedAt: null,
      });
    },

    /** The latest published report's progress toward the next service, for the public charter page. */
    async monthlyProgress() {
      const [row] = await reports.published(1);
      if (!row) return null;
      const report = row;
      const next = report.figures.next;
      return {
        month: report.month,
        service: next?.name ?? "—",
        progress: report.progress,
        lines: reportLines(report),
        reportPath: reportPath(report),
      };
    },

    get,
    refreshDraft,
    list: () => reports.list(),

    /** Keeps the coordinators' words and recomputes the figures from the ledger as it stands. */
    async edit(id: string, words: { intro: string; progress: string; language: string }): Promise<Report> {
      const row = await get(id);
      const figures = await figuresFor(row.month);
      return (await reports.update(id, { ...words, figures, updatedAt: deps.now().toISOString() }))!;
    },

    /**
     * Publishes (revision 1: a Create) or republishes a correction (an Update replacing it), with figures
     * recomputed from the ledger; records the charter's monthly review.
     */
    async publish(id: string): Promise<Report> {
      const before = await get(id);
      const figures = await figuresFor(before.month);
      const own = actorIri(config).href;
      // The report, this pod's figures in the totals and the event to send it: one write, one at a time per report.
      const row = await rooms.write(
        async (db) => {
          const current = await reports.byIdWithin(db, id);
          if (!current) throw notFound(`no report ${id}`);
          if (current.status === "published" && current.revision < 1) throw conflict("inconsistent report");
          const now = deps.now().toISOString();
          const updated = (await reports.updateWithin(db, id, {
            status: "published",
            figures,
            revision: current.revision + 1,
            updatedAt: now,
            publishedAt: current.publishedAt ?? now,
          }))!;
          await totals.replaceFiguresWithin(db, ownFigures(updated));
          await events.recordWithin(db, REPORT_PUBLISHED, { id }, reportIri(config, updated).href);
          return updated;
        },
        { oneAtATime: totals.turnOf(own, before.month).oneAtATime },
      );
      if (charters.current()) await charters.review();
      await events.settle();
      return row;
    },
  };
}

export type SovereigntyService = ReturnType<typeof sovereigntyService>;
