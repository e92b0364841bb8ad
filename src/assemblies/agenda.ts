import type { InboxContext } from "@fedify/fedify";
import { Event, Update } from "@fedify/vocab";
import { roomsOf } from "../db/room-db.ts";
import type { PodDeps } from "../federation/deps.ts";
import { ProblemError, conflict } from "../http/problem.ts";
import { formatMilli } from "../offers/quantity.ts";
import { renderMarkdown } from "../practices/markdown.ts";
import { sanitize } from "../web/sanitize.ts";
import type { Crisis } from "./crisis.ts";
import type { Assembly } from "./model.ts";
import type { AssembliesRoom } from "./room.ts";
import { barterStore } from "./store-barter.ts";
import type { AssemblyTable } from "./table.ts";

/** A pod's latest monthly report as the sovereignty room keeps it (figures only). */
export interface PodReport {
  podIri: string;
  month: string;
  figures: { label: string; unit: string; quantityMilli: number | null; fewerThan: number | null }[];
}

/** A proposal submitted to the assembly (proposals.ts, once it exists, registers the real source). */
export interface SubmittedProposal {
  iri: string;
  authorIri: string;
  title: string;
}

export type AgendaWord =
  | "reports"
  | "noReport"
  | "needs"
  | "needMatched"
  | "needAlone"
  | "waste"
  | "wasteLine"
  | "uncovered"
  | "crises"
  | "proposals"
  | "nothing"
  | "fewerThan";

export interface AgendaSources {
  takingPart: (assembly: Assembly) => Promise<Set<string>>;
  table: (pods: ReadonlySet<string>) => AssemblyTable | Promise<AssemblyTable>;
  reports: (pods: string[]) => PodReport[] | Promise<PodReport[]>;
  /** This assembly's open crisis threads (never another assembly's: it may be participants-only). */
  openCrises: (assembly: Assembly) => Promise<Crisis[]>;
  proposals: (assembly: Assembly) => Promise<SubmittedProposal[]>;
  nameOf: (actorIri: string) => string;
  words: (key: AgendaWord, params?: Record<string, string>) => string;
}

/** Markdown's own characters in text that came from other pods: shown as written, never as links or markup. */
const md = (text: string) => text.replace(/[\\`*_[\]<>|~]/g, "\\$&").replace(/\s+/g, " ");

/** The draft agenda: reports, needs, surplus going to waste, services nobody covers, crises and proposals. */
export async function draftAgenda(assembly: Assembly, sources: AgendaSources): Promise<string> {
  const { words, nameOf } = sources;
  const pods = await sources.takingPart(assembly);
  const podList = [...pods].sort();
  const table = await sources.table(pods);
  const pod = (iri: string) => `**${md(nameOf(iri))}**`;
  const amount = (milli: number | null, unit: string | null) =>
    milli === null ? "" : ` ${formatMilli(milli)}${unit ? ` ${md(unit)}` : ""}`;
  const section = (title: AgendaWord, lines: string[]) =>
    `### ${words(title)}\n\n${lines.length ? lines.map((line) => `- ${line}`).join("\n") : words("nothing")}\n`;

  const reports = new Map((await sources.reports(podList)).map((report) => [report.podIri, report]));
  const reportLines = podList.map((iri) => {
    const report = reports.get(iri);
    if (!report) return `${pod(iri)}: ${words("noReport")}`;
    const figures = report.figures.map((f) =>
      f.quantityMilli === null
        ? `${md(f.label)} ${words("fewerThan", { n: String(f.fewerThan ?? 0) })} ${md(f.unit)}`
        : `${md(f.label)}${amount(f.quantityMilli, f.unit)}`,
    );
    return `${pod(iri)} (${report.month}): ${figures.join("; ")}`;
  });

  const matchesOf = new Map(table.matches.map((item) => [item.need.iri, item.offers]));
  const needLines = table.needs.map((need) => {
    const offers = matchesOf.get(need.iri) ?? [];
    const what = `${pod(need.podIri)}: ${md(need.name)}${amount(need.availableMilli, need.unit)}`;
    if (offers.length === 0) return `${what} — ${words("needAlone")}`;
    const by = offers.map((m) => `${md(m.offer.name)} (${md(nameOf(m.offer.pod.iri))})`).join(", ");
    return `${what} — ${words("needMatched", { offers: by })}`;
  });

  const wasteLines = table.wasting.map(
    (offer) =>
      `${pod(offer.podIri)}: ${md(offer.name)}${amount(offer.availableMilli, offer.unit)} — ` +
      words("wasteLine", { date: offer.endsAt!.slice(0, 10) }),
  );
  // A crisis is named by what it is only: its place and what is needed stay in the thread, among participants.
  const crisisLines = (await sources.openCrises(assembly)).map((c) => `${pod(c.openerIri)}: ${md(c.what)}`);
  const proposalLines = (await sources.proposals(assembly)).map((p) => `${pod(p.authorIri)}: ${md(p.title)}`);
  return [
    section("reports", reportLines),
    section("needs", needLines),
    section("waste", wasteLines),
    section(
      "uncovered",
      table.uncovered.map((category) => md(category.label ?? category.slug ?? category.iri)),
    ),
    section("crises", crisisLines),
    section("proposals", proposalLines),
  ].join("\n");
}

const bad = (field: string, detail: string) =>
  new ProblemError({ status: 422, title: "Unprocessable Content", detail, field });

/** The convener's draft agenda: built when convened, redrafted on demand until the start, published as an Update. */
export function assemblyAgenda(deps: PodDeps, room: AssembliesRoom, sources: AgendaSources) {
  const { log } = deps;
  const store = barterStore(roomsOf(deps));

  async function redraft(row: Assembly) {
    if (row.role !== "convener") throw bad("agenda", "only the convening pod drafts the agenda");
    if (Date.parse(row.startTime) <= deps.now().getTime()) throw conflict("the assembly has started");
    const markdown = await draftAgenda(row, sources);
    return store.redraft(row.id, markdown, deps.now().toISOString());
  }

  // Drafted at convening; an assembly convened after its start (a record of a past one) gets no draft.
  room.whenConvened(async (row) => {
    if (Date.parse(row.startTime) > deps.now().getTime()) await redraft(row);
  });

  return {
    draft: async (row: Assembly) => (row.role === "convener" ? store.draft(row.id) : undefined),
    redraft,

    /** The convener's edited agenda becomes the Event's content; every invited pod gets the Update. */
    async publish(row: Assembly, markdown: string): Promise<Assembly> {
      if (row.role !== "convener") throw bad("agenda", "only the convening pod publishes the agenda");
      // The draft quotes neighbours' offer names and crisis titles: their bare URLs are not made links.
      const agendaHtml = renderMarkdown(markdown, { linkify: false });
      const at = deps.now();
      const to = (await room.participants(row.id)).filter((p) => p.answer !== "rejected" && p.answer !== "left");
      const event = await room.eventOf({ ...row, agendaHtml });
      const update = new Update({
        id: new URL(`${row.iri}#agenda-${at.getTime()}`),
        actor: new URL(row.convenerIri),
        object: event,
        tos: event.toIds,
        published: event.published,
      });
      await room.deliver(update, to, async (tx) => {
        await room.changeWithin(tx, row.id, { agendaHtml });
        await store.publishedWithin(tx, row.id, markdown, at.toISOString());
      });
      return room.get(row.id);
    },

    /** The convener's Update of its Event: the new agenda (and times, place) on this invited pod's copy. */
    async onUpdate(ctx: InboxContext<null>, update: Update): Promise<boolean> {
      const actorIri = update.actorId?.href;
      const objectIri = update.objectId?.href;
      if (!actorIri || !objectIri) return false;
      const row = await room.byIri(objectIri);
      if (row?.role !== "invited") return false;
      const event = await update.getObject(ctx).catch(() => null);
      const own =
        event instanceof Event &&
        row.convenerIri === actorIri &&
        event.id?.href === row.iri &&
        event.attributionId?.href === actorIri;
      if (!own || !event.startTime) {
        log.info({ update: update.id?.href, actor: actorIri }, "assembly update refused: not the convener's event");
        return true;
      }
      const change = {
        title: String(event.name ?? row.title).slice(0, 200),
        startTime: new Date(event.startTime.epochMilliseconds).toISOString(),
        endTime: event.endTime ? new Date(event.endTime.epochMilliseconds).toISOString() : null,
        agendaHtml: sanitize(String(event.content ?? "")),
      };
      await room.change(row.id, change);
      log.info({ assembly: row.iri }, "assembly agenda updated by its convener");
      return true;
    },
  };
}

export type AssemblyAgenda = ReturnType<typeof assemblyAgenda>;
