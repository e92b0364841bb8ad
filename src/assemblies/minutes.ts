import type { Context, InboxContext } from "@fedify/fedify";
import { Activity, Article, type Create, Mention } from "@fedify/vocab";
import { roomsOf } from "../db/room-db.ts";
import type { EventDispatcher } from "../events/dispatcher.ts";
import type { PodDeps } from "../federation/deps.ts";
import { conflict, ProblemError } from "../http/problem.ts";
import { forPeople, sendToFollowers } from "../publishing/deliver.ts";
import { paragraphs } from "../publishing/text.ts";
import { escapeHtml } from "../web/html.ts";
import { htmlToText, sanitize } from "../web/sanitize.ts";
import type { MessageKey } from "../webapp/i18n/index.ts";
import { eligibleConveners, rotationNext } from "./convener.ts";
import type { Assembly } from "./model.ts";
import {
  minutesArticle,
  minutesCreate,
  minutesIriOf,
  minutesNote,
  minutesNoteIriOf,
  type MinutesShape,
} from "./outcomes-as.ts";
import { podName, type ProposalView } from "./proposals.ts";
import { podWords } from "./ratification.ts";
import type { AssembliesRoom } from "./room.ts";
import { z } from "zod";

export const minutesSchema = z.object({
  nextConvener: z.string().url().optional(),
  summary: z.string().trim().max(5000).default(""),
});
export type MinutesInput = z.infer<typeof minutesSchema>;

const EMBEDDED_ONLY = { documentLoader: () => Promise.reject(new Error("not fetched")), suppressError: true } as const;
const MAX_TAGS_READ = 20;
const MINUTES_FOR_PEOPLE = "assembly.minutes.people";
const bad = (field: string, detail: string) =>
  new ProblemError({ status: 422, title: "Unprocessable Content", detail, field });
const KIND_HEADING: Record<string, MessageKey> = {
  report: "outcomes.kind.report",
  crisis: "outcomes.kind.crisis",
  pledge: "outcomes.kind.pledge",
  reply: "outcomes.kind.reply",
};

/**
 * Minutes: after the assembly the convener publishes what the record holds (reports, crisis threads, pledges,
 * proposals with each pod's ratification) and who convenes next, as an Article for the participants and a
 * readable Note (no name, no summary) for people's servers when the assembly is public.
 */
export function minutesRoom(
  deps: PodDeps,
  contextFor: () => Context<null>,
  events: EventDispatcher,
  room: AssembliesRoom,
  proposalsOf: (row: Assembly) => Promise<ProposalView[]>,
) {
  const { config, log } = deps;
  const rooms = roomsOf(deps);
  const link = (iri: string, text: string) => `<a href="${escapeHtml(iri)}">${escapeHtml(text)}</a>`;
  // Pods' names are read synchronously while the minutes are written: the follows copy in memory.
  const nameOf = (iri: string) => podName(rooms, iri, { iri: room.self(), config });

  events.on(MINUTES_FOR_PEOPLE, async ({ activity, iri }: { activity: unknown; iri: string }) => {
    const ctx = contextFor();
    const loaders = { documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader };
    await sendToFollowers(ctx, deps, [forPeople(await Activity.fromJsonLd(activity, loaders))], iri);
  });

  const podsHtml = async (row: Assembly) => {
    const t = podWords(deps);
    const pods = [{ actorIri: row.convenerIri, answer: "accepted" as const }, ...(await room.participants(row.id))];
    const items = pods.map(
      (p) => `<li>${link(p.actorIri, nameOf(p.actorIri))}: ${t(`assemblies.answer.${p.answer}`)}</li>`,
    );
    return `<h3>${escapeHtml(t("outcomes.min.pods"))}</h3><ul>${items.join("")}</ul>`;
  };

  /** Each proposal by title with the pods that adopted, declined or have not answered; linked only for participants. */
  const proposalsHtml = async (row: Assembly, linked: boolean) => {
    const t = podWords(deps);
    const proposals = await proposalsOf(row);
    if (proposals.length === 0) return { html: "", count: 0 };
    const items = proposals.map((proposal) => {
      const who = (answer: string) =>
        proposal.answers
          .filter((a) => a.answer === answer)
          .map((a) => nameOf(a.actorIri))
          .join(", ") || t("outcomes.min.nobody");
      const title = linked ? link(proposal.row.iri, proposal.title) : escapeHtml(proposal.title);
      return (
        `<li>${title} (${escapeHtml(nameOf(proposal.row.authorIri))})<br>` +
        `${escapeHtml(t("outcomes.min.adoptedBy", { pods: who("adopted") }))}<br>` +
        `${escapeHtml(t("outcomes.min.declinedBy", { pods: who("declined") }))}<br>` +
        `${escapeHtml(t("outcomes.min.pendingBy", { pods: who("pending") }))}</li>`
      );
    });
    return {
      html: `<h3>${escapeHtml(t("outcomes.proposals"))}</h3><ul>${items.join("")}</ul>`,
      count: proposals.length,
    };
  };

  /**
   * The minutes anyone may read (public page, Note to followers): outcomes only — the pods, how many contributions
   * of each kind, the proposals and who adopted them, the next convener. No contribution's words, no link to one:
   * participants' reports, crisis threads and replies may describe people.
   */
  async function outcomes(row: Assembly, next: string) {
    const t = podWords(deps);
    const record = (await room.record(row.id)).filter((item) => item.kind !== "proposal");
    const counts = new Map<string, number>();
    for (const item of record) counts.set(item.kind, (counts.get(item.kind) ?? 0) + 1);
    const countItems = [...counts].map(([kind, n]) => {
      const heading = KIND_HEADING[kind] ? t(KIND_HEADING[kind]) : kind;
      return `<li>${escapeHtml(heading)}: ${n}</li>`;
    });
    const proposals = await proposalsHtml(row, false);
    const html = sanitize(
      (await podsHtml(row)) +
        (countItems.length ? `<ul>${countItems.join("")}</ul>` : "") +
        proposals.html +
        `<p>${escapeHtml(t("outcomes.min.next", { pod: nameOf(next) }))}</p>`,
    );
    return { html, count: record.length + proposals.count, proposals: proposals.count };
  }

  /** The participants' copy, from this copy of the record: it quotes each contribution and links it. */
  async function compose(row: Assembly, next: string, summary: string) {
    const t = podWords(deps);
    const parts: string[] = [paragraphs(escapeHtml(summary)), await podsHtml(row)];
    const record = (await room.record(row.id)).filter((item) => item.kind !== "proposal");
    for (const kind of [...new Set(record.map((item) => item.kind as string))]) {
      const heading = KIND_HEADING[kind] ? t(KIND_HEADING[kind]) : kind;
      parts.push(`<h3>${escapeHtml(heading)}</h3><ul>`);
      for (const item of record.filter((entry) => entry.kind === kind)) {
        const excerpt = htmlToText(item.contentHtml).slice(0, 280);
        parts.push(`<li>${escapeHtml(nameOf(item.authorIri))}: ${link(item.iri, excerpt)}</li>`);
      }
      parts.push("</ul>");
    }
    parts.push((await proposalsHtml(row, true)).html);
    parts.push(`<p>${escapeHtml(t("outcomes.min.next", { pod: nameOf(next) }))}</p>`);
    const open = await outcomes(row, next);
    const date = new Intl.DateTimeFormat(config.languages[0], { dateStyle: "long", timeZone: config.timeZone }).format(
      new Date(row.startTime),
    );
    const note = t("outcomes.min.note", { title: row.title, date, count: open.count, proposals: open.proposals });
    const noteHtml =
      `<p>${escapeHtml(note)}</p><p>${escapeHtml(t("outcomes.min.next", { pod: nameOf(next) }))}</p>` +
      `<p>${link(minutesIriOf(row), minutesIriOf(row))}</p>`;
    return { title: titleOf(row), html: sanitize(parts.join("")), publicHtml: open.html, noteHtml };
  }

  const titleOf = (row: Assembly) => podWords(deps)("outcomes.min.title", { title: row.title }).slice(0, 250);

  /** The readable Note as published (stored then: no request rebuilds it from the record). */
  async function shapeOf(row: Assembly): Promise<MinutesShape | null> {
    if (row.role !== "convener" || !row.minutesHtml || !row.minutesNoteHtml || !row.nextConvenerIri) return null;
    return {
      row,
      to: (await room.attending(row.id)).map((p) => p.actorIri),
      title: titleOf(row),
      html: row.minutesHtml,
      noteHtml: row.minutesNoteHtml,
      nextConvener: { iri: row.nextConvenerIri, name: nameOf(row.nextConvenerIri) },
    };
  }

  return {
    /** The Note to followers, for a public assembly only (a participants-only one has no public minutes). */
    note: async (row: Assembly) => {
      if (row.visibility !== "public") return null;
      const shape = await shapeOf(row);
      return shape && minutesNote(shape);
    },
    noteIri: minutesNoteIriOf,

    async publish(id: string, input: MinutesInput): Promise<Assembly> {
      const row = await room.get(id);
      if (row.role !== "convener") throw bad("summary", "only the convening pod publishes the minutes");
      if (row.minutesHtml) throw conflict("the minutes are already published");
      if (deps.now().toISOString() < (row.endTime ?? row.startTime)) {
        throw bad("summary", "the minutes are published after the assembly");
      }
      const participants = await room.participants(id);
      const next = input.nextConvener ?? rotationNext(row.convenerIri, participants);
      if (!eligibleConveners(row, participants).includes(next)) {
        throw bad("nextConvener", "the next convener is the convener or a pod that attended");
      }
      const words = await compose(row, next, input.summary);
      const published: Assembly = {
        ...row,
        minutesIri: minutesIriOf(row),
        minutesHtml: words.html,
        minutesPublicHtml: words.publicHtml,
        minutesNoteHtml: words.noteHtml,
        minutesAt: deps.now().toISOString(),
        nextConvenerIri: next,
      };
      const to = await room.attending(id);
      const shape: MinutesShape = {
        row: published,
        to: to.map((p) => p.actorIri),
        title: words.title,
        html: words.html,
        noteHtml: words.noteHtml,
        nextConvener: { iri: next, name: nameOf(next) },
      };
      const convener = new URL(row.convenerIri);
      const queued = await room.outgoing(minutesCreate(minutesArticle(shape), convener), to);
      const forPeople = await minutesCreate(minutesNote(shape), convener).toJsonLd();
      const updated = await rooms.write(async (tx) => {
        const saved = await room.publishMinutesWithin(tx, id, {
          minutesIri: published.minutesIri,
          minutesHtml: published.minutesHtml,
          minutesPublicHtml: published.minutesPublicHtml,
          minutesNoteHtml: published.minutesNoteHtml,
          minutesAt: published.minutesAt,
          nextConvenerIri: next,
        });
        // Another publication of these minutes committed while this one was composed: it was the one sent.
        if (!saved) throw conflict("the minutes are already published");
        await queued(tx);
        if (row.visibility === "public") {
          await events.recordWithin(tx, MINUTES_FOR_PEOPLE, { activity: forPeople, iri: minutesNoteIriOf(row) }, null);
        }
        return saved;
      });
      await events.settle();
      log.info({ assembly: row.iri, next }, "assembly minutes published");
      return updated;
    },

    inbox: {
      /** The convener's minutes (Create of the Article at the minutes' IRI); false when not about an assembly. */
      async onCreate(ctx: InboxContext<null>, create: Create): Promise<boolean> {
        const actorIri = create.actorId?.href;
        // Nothing is fetched unless the sender convened an assembly this pod was invited to.
        const convened = actorIri && (await room.convenedAny(actorIri));
        if (!convened) return false;
        const article = await create.getObject(ctx).catch(() => null);
        if (!(article instanceof Article) || !article.id || !actorIri) return false;
        const row = await room.inContext(
          article.contextIds,
          (found) => found.role === "invited" && found.convenerIri === actorIri,
        );
        if (!row) return false;
        if (article.id.href !== minutesIriOf(row) || article.attributionId?.href !== actorIri) {
          log.info({ object: article.id.href, actor: actorIri }, "minutes refused: not the convener's");
          return true;
        }
        const eligible = eligibleConveners(row, await room.participants(row.id));
        let next: string | null = null;
        // Only embedded tags count (a tag given by URL is not fetched), and only the first few are read.
        let read = 0;
        for await (const tag of article.getTags(EMBEDDED_ONLY)) {
          if (++read > MAX_TAGS_READ) break;
          const href = tag instanceof Mention ? tag.href?.href : undefined;
          if (href && eligible.includes(href)) next = href;
        }
        await room.change(row.id, {
          minutesIri: article.id.href,
          minutesHtml: sanitize(String(article.content ?? "")),
          // The public page shows outcomes only, built from this pod's own copy of the record.
          minutesPublicHtml: row.visibility === "public" && next ? (await outcomes(row, next)).html : null,
          minutesAt: article.published
            ? new Date(article.published.epochMilliseconds).toISOString()
            : deps.now().toISOString(),
          nextConvenerIri: next,
        });
        log.info({ assembly: row.iri, next }, "assembly minutes received");
        return true;
      },
    },
  };
}

export type MinutesRoom = ReturnType<typeof minutesRoom>;
