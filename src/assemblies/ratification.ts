import type { InboxContext } from "@fedify/fedify";
import type { Activity, Announce } from "@fedify/vocab";
import { and, eq, isNull } from "drizzle-orm";
import { uuidv7 } from "uuidv7";
import type { EventDispatcher } from "../events/dispatcher.ts";
import type { PodDeps } from "../federation/deps.ts";
import { conflict, ProblemError } from "../http/problem.ts";
import type { MemoryService } from "../memory/service.ts";
import { translator } from "../webapp/i18n/index.ts";
import type { Assembly } from "./model.ts";
import {
  ratificationActivity,
  ratificationAnnounce,
  ratificationAnnouncePrefix,
  ratificationAnswerOf,
  type Ratification,
} from "./outcomes-as.ts";
import { proposalsOf, proposalText, proposalTitle, type ProposeInput, type RatifyInput } from "./proposals.ts";
import type { AssembliesRoom } from "./room.ts";
import { assemblyContributions, assemblyRatifications } from "./schema.ts";

const bad = (field: string, detail: string) =>
  new ProblemError({ status: 422, title: "Unprocessable Content", detail, field });
const sameOrigin = (a: string, b: string) => URL.parse(a)?.origin === URL.parse(b)?.origin;
/** How long an answer taken without its decision is left to the run that took it. */
const ABANDONED_AFTER_MS = 60_000;

/** The pod's main language, for the words it writes itself (decision titles, minutes). */
export const podWords = (deps: PodDeps) => translator(deps.config.languages[0] === "es" ? "es" : "en");

/**
 * Proposals without binding votes: a participant submits one into the record; each pod ratifies it locally
 * (a decision in its own decisions log) and answers Accept (adopted) or Reject (declined). The convener
 * re-distributes each answer by its IRI; every copy verifies it at the deciding pod's origin.
 */
export function ratificationRoom(deps: PodDeps, events: EventDispatcher, room: AssembliesRoom, memory: MemoryService) {
  const { db, config, log } = deps;
  const me = () => room.self();
  const ratificationIri = (id: string) => new URL(`/assemblies/ratifications/${id}`, config.url).href;

  /** Who may ratify: the convener and every pod that attends (accepted, even tentatively). */
  const ratifiers = (row: Assembly) => [
    row.convenerIri,
    ...room
      .participants(row.id)
      .filter((p) => p.answer === "accepted" || p.answer === "tentative")
      .map((p) => p.actorIri),
  ];
  const attendingHere = (row: Assembly) =>
    row.role === "convener" || row.answer === "accepted" || row.answer === "tentative";

  const proposalIn = (row: Assembly, iri: string) =>
    db
      .select()
      .from(assemblyContributions)
      .where(
        and(
          eq(assemblyContributions.iri, iri),
          eq(assemblyContributions.assemblyId, row.id),
          eq(assemblyContributions.kind, "proposal"),
        ),
      )
      .get();

  /** Stores a ratification; on the convener, re-distributes it to every participant. True when it is new. */
  async function record(row: Assembly, values: typeof assemblyRatifications.$inferInsert) {
    const to = row.role === "convener" ? room.attending(row.id) : [];
    const queued = await room.outgoing(
      ratificationAnnounce(
        new URL(me()),
        row.iri,
        values.iri,
        to.map((p) => p.actorIri),
        deps.now(),
      ),
      to,
    );
    const inserted = db.transaction((tx) => {
      const done = tx.insert(assemblyRatifications).values(values).onConflictDoNothing().run();
      if (done.changes > 0) queued(tx);
      return done.changes > 0;
    });
    await events.settle();
    return inserted;
  }

  const shape = (row: Assembly, r: typeof assemblyRatifications.$inferSelect): Ratification => ({
    iri: r.iri,
    actorIri: r.actorIri,
    proposalIri: r.proposalIri,
    eventIri: row.iri,
    convenerIri: row.convenerIri,
    answer: r.answer,
    decidedAt: r.decidedAt,
  });

  /**
   * An answer taken by a run that ended before writing its decision (the process stopped) is taken over once
   * it is a minute old; one still being decided, or decided, is a conflict. One conditional update: of two
   * runs taking it over at once, one does.
   */
  const takeOverAbandoned = (
    proposalIri: string,
    values: { answer: RatifyInput["answer"]; decidedAt: string },
  ): string => {
    const mine = and(eq(assemblyRatifications.proposalIri, proposalIri), eq(assemblyRatifications.actorIri, me()));
    const left = db.select().from(assemblyRatifications).where(mine).get();
    const abandoned =
      left?.decisionId === null && Date.parse(left.decidedAt) < Date.parse(values.decidedAt) - ABANDONED_AFTER_MS;
    const retaken =
      abandoned &&
      db
        .update(assemblyRatifications)
        .set({ answer: values.answer, decidedAt: values.decidedAt })
        .where(
          and(
            eq(assemblyRatifications.iri, left.iri),
            isNull(assemblyRatifications.decisionId),
            eq(assemblyRatifications.decidedAt, left.decidedAt),
          ),
        )
        .run().changes === 1;
    if (!retaken) throw conflict("this pod already decided on this proposal");
    return left!.iri;
  };

  return {
    ratifiers,
    proposals: (row: Assembly) => proposalsOf(db, row.id, ratifiers(row)),

    /** A proposal into the record: a contribution whose first paragraph is its title. */
    propose: (id: string, input: ProposeInput) => room.contribute(id, { kind: "proposal", text: proposalText(input) }),

    /**
     * This pod's own decision on a proposal: recorded in its decisions log first (the decision is the pod's,
     * whatever others do), then answered to the assembly.
     */
    async ratify(id: string, input: RatifyInput) {
      const row = room.get(id);
      if (!attendingHere(row)) throw bad("answer", "only a pod that attends ratifies");
      const proposal = proposalIn(row, input.proposal);
      if (!proposal) throw bad("proposal", "no such proposal in this assembly's record");
      const values = {
        iri: ratificationIri(uuidv7()),
        assemblyId: row.id,
        proposalIri: proposal.iri,
        actorIri: me(),
        answer: input.answer,
        decisionId: null as string | null,
        decidedAt: deps.now().toISOString(),
      };
      // The answer is taken first (one per pod and proposal, by the unique index): a double submit decides once.
      const taken = db.insert(assemblyRatifications).values(values).onConflictDoNothing().run();
      if (taken.changes !== 1) values.iri = takeOverAbandoned(proposal.iri, values);
      // This run's answer, and no later run's that took it over meanwhile (it wrote another decidedAt).
      const thisRun = and(
        eq(assemblyRatifications.iri, values.iri),
        isNull(assemblyRatifications.decisionId),
        eq(assemblyRatifications.decidedAt, values.decidedAt),
      );
      const t = podWords(deps);
      const title = proposalTitle(proposal.contentHtml);
      const decision = await memory
        .create({
          kind: "decision",
          title: t(`outcomes.decision.${input.answer}`, { title }).slice(0, 200),
          summary: (input.reason || t("outcomes.decision.summary", { assembly: row.title })).slice(0, 500),
          body: t("outcomes.decision.body", { proposal: `<${proposal.iri}>`, assembly: `<${row.iri}>` }),
          decidedBy: input.group || t("outcomes.decision.group"),
          visibility: "internal",
          language: config.languages[0] === "es" ? "es" : "en",
        })
        .catch((error: unknown) => {
          db.delete(assemblyRatifications).where(thisRun).run();
          throw error;
        });
      values.decisionId = decision.id;
      const to =
        row.role === "convener" ? room.attending(row.id) : [{ actorIri: row.convenerIri, inbox: row.convenerInbox }];
      const activity =
        row.role === "convener"
          ? ratificationAnnounce(
              new URL(me()),
              row.iri,
              values.iri,
              to.map((p) => p.actorIri),
              deps.now(),
            )
          : ratificationActivity(shape(row, values));
      const queued = await room.outgoing(activity, to);
      db.transaction((tx) => {
        const kept = tx.update(assemblyRatifications).set({ decisionId: decision.id }).where(thisRun).run().changes;
        if (kept !== 1) throw conflict("a later answer took this one over");
        queued(tx);
      });
      await events.settle();
      log.info({ assembly: row.iri, proposal: proposal.iri, answer: input.answer }, "proposal ratified locally");
      return { ...values, decisionId: decision.id };
    },

    /** This pod's own ratification, served at its IRI (every copy verifies it there). */
    ownRatification(iri: string): { activity: Activity; assemblyId: string } | undefined {
      const found = db.select().from(assemblyRatifications).where(eq(assemblyRatifications.iri, iri)).get();
      if (!found || found.actorIri !== me()) return undefined;
      return {
        activity: ratificationActivity(shape(room.get(found.assemblyId), found)),
        assemblyId: found.assemblyId,
      };
    },

    inbox: {
      /** An Accept or Reject of a proposal in an assembly convened here; false when it is about no proposal. */
      async onRatification(activity: Activity): Promise<boolean> {
        const answer = ratificationAnswerOf(activity);
        const objectIri = activity.objectId?.href;
        if (!answer || !objectIri) return false;
        const proposal = db.select().from(assemblyContributions).where(eq(assemblyContributions.iri, objectIri)).get();
        if (proposal?.kind !== "proposal") return false;
        const row = room.get(proposal.assemblyId);
        const actorIri = activity.actorId?.href;
        const ok =
          row.role === "convener" &&
          actorIri !== undefined &&
          activity.id !== null &&
          sameOrigin(activity.id.href, actorIri) &&
          actorIri !== me() &&
          ratifiers(row).includes(actorIri);
        if (!ok) {
          log.info({ activity: activity.id?.href, actor: actorIri }, "ratification refused: not a participant's own");
          return true;
        }
        await record(row, {
          iri: activity.id!.href,
          assemblyId: row.id,
          proposalIri: objectIri,
          actorIri: actorIri!,
          answer,
          decisionId: null,
          decidedAt: deps.now().toISOString(),
        });
        log.info({ assembly: row.iri, actor: actorIri, answer }, "ratification received");
        return true;
      },

      /** The convener's re-distribution of a ratification: fetched and verified at the deciding pod's origin. */
      async onAnnounce(ctx: InboxContext<null>, announce: Announce): Promise<boolean> {
        const actorIri = announce.actorId?.href;
        const objectIri = announce.objectId?.href;
        const id = announce.id?.href;
        if (!actorIri || !objectIri || !id) return false;
        const row = announce.contextIds
          .map((iri) => room.byIri(iri.href))
          .find((found) => found?.role === "invited" && found.convenerIri === actorIri);
        if (!row || !id.startsWith(ratificationAnnouncePrefix(row.iri))) return false;
        const known = db.select().from(assemblyRatifications).where(eq(assemblyRatifications.iri, objectIri)).get();
        if (known) return true;
        // Nothing is fetched unless it lives on the origin of a pod that may ratify.
        if (!ratifiers(row).some((iri) => sameOrigin(iri, objectIri))) {
          log.info({ object: objectIri, convener: actorIri }, "announced ratification refused: not a participant's");
          return true;
        }
        // Signed (the inbox's loader signs as the pod): participants' objects are served to participants only.
        const fetched = await ctx.lookupObject(objectIri).catch(() => null);
        const answer = ratificationAnswerOf(fetched);
        const activity = answer ? (fetched as Activity) : null;
        const author = activity?.actorId?.href;
        const proposalIri = activity?.objectId?.href;
        const verified =
          activity !== null &&
          activity.id?.href === objectIri &&
          author !== undefined &&
          proposalIri !== undefined &&
          sameOrigin(author, objectIri) &&
          activity.contextIds.some((iri) => iri.href === row.iri) &&
          ratifiers(row).includes(author) &&
          proposalIn(row, proposalIri) !== undefined;
        if (!verified) {
          log.info({ object: objectIri, convener: actorIri }, "announced ratification refused: not verified at origin");
          return true;
        }
        db.insert(assemblyRatifications)
          .values({
            iri: objectIri,
            assemblyId: row.id,
            proposalIri: proposalIri!,
            actorIri: author!,
            answer: answer!,
            decisionId: null,
            decidedAt: deps.now().toISOString(),
          })
          .onConflictDoNothing()
          .run();
        return true;
      },
    },
  };
}

export type RatificationRoom = ReturnType<typeof ratificationRoom>;
