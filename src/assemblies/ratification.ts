import type { InboxContext } from "@fedify/fedify";
import type { Activity, Announce } from "@fedify/vocab";
import { uuidv7 } from "uuidv7";
import { roomsOf } from "../db/room-db.ts";
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
import { ratificationsStore, type RatificationRow } from "./store-outcomes.ts";

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
  const { config, log } = deps;
  const rooms = roomsOf(deps);
  const store = ratificationsStore(rooms);
  const me = () => room.self();
  const ratificationIri = (id: string) => new URL(`/assemblies/ratifications/${id}`, config.url).href;

  /** Who may ratify: the convener and every pod that attends (accepted, even tentatively). */
  const ratifiers = async (row: Assembly) => [
    row.convenerIri,
    ...(await room.participants(row.id))
      .filter((p) => p.answer === "accepted" || p.answer === "tentative")
      .map((p) => p.actorIri),
  ];
  const attendingHere = (row: Assembly) =>
    row.role === "convener" || row.answer === "accepted" || row.answer === "tentative";

  const proposalIn = async (row: Assembly, iri: string) => {
    const found = await room.contribution(iri);
    return found?.assemblyId === row.id && found.kind === "proposal" ? found : undefined;
  };

  /** Stores a ratification; on the convener, re-distributes it to every participant. True when it is new. */
  async function record(row: Assembly, values: Parameters<typeof store.addWithin>[1]) {
    const to = row.role === "convener" ? await room.attending(row.id) : [];
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
    const inserted = await rooms.write(async (tx) => {
      const done = await store.addWithin(tx, values);
      if (done) await queued(tx);
      return done;
    });
    await events.settle();
    return inserted;
  }

  const shape = (row: Assembly, r: RatificationRow): Ratification => ({
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
  const takeOverAbandoned = async (
    proposalIri: string,
    values: { answer: RatifyInput["answer"]; decidedAt: string },
  ): Promise<string> => {
    const left = await store.answerOf(proposalIri, me());
    const abandoned =
      left?.decisionId === null && Date.parse(left.decidedAt) < Date.parse(values.decidedAt) - ABANDONED_AFTER_MS;
    const retaken = abandoned && (await store.retake(left, values.answer, values.decidedAt));
    if (!retaken) throw conflict("this pod already decided on this proposal");
    return left!.iri;
  };
  const proposals = async (row: Assembly) =>
    proposalsOf(await room.record(row.id, "proposal"), await store.ofAssembly(row.id), await ratifiers(row));

  return {
    ratifiers,
    proposals,

    /** A proposal into the record: a contribution whose first paragraph is its title. */
    propose: (id: string, input: ProposeInput) => room.contribute(id, { kind: "proposal", text: proposalText(input) }),

    /**
     * This pod's own decision on a proposal: recorded in its decisions log first (the decision is the pod's,
     * whatever others do), then answered to the assembly.
     */
    async ratify(id: string, input: RatifyInput) {
      const row = await room.get(id);
      if (!attendingHere(row)) throw bad("answer", "only a pod that attends ratifies");
      const proposal = await proposalIn(row, input.proposal);
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
      if (!(await store.add(values))) values.iri = await takeOverAbandoned(proposal.iri, values);
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
        .catch(async (error: unknown) => {
          await store.release(values.iri, values.decidedAt);
          throw error;
        });
      values.decisionId = decision.id;
      const to =
        row.role === "convener"
          ? await room.attending(row.id)
          : [{ actorIri: row.convenerIri, inbox: row.convenerInbox }];
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
      // This run's answer, and no later run's that took it over meanwhile (it wrote another decidedAt).
      await rooms.write(async (tx) => {
        const kept = await store.decideWithin(tx, values.iri, values.decidedAt, decision.id);
        if (!kept) throw conflict("a later answer took this one over");
        await queued(tx);
      });
      await events.settle();
      log.info({ assembly: row.iri, proposal: proposal.iri, answer: input.answer }, "proposal ratified locally");
      return { ...values, decisionId: decision.id };
    },

    /** This pod's own ratification, served at its IRI (every copy verifies it there). */
    async ownRatification(iri: string): Promise<{ activity: Activity; assemblyId: string } | undefined> {
      const found = await store.get(iri);
      if (!found || found.actorIri !== me()) return undefined;
      return {
        activity: ratificationActivity(shape(await room.get(found.assemblyId), found)),
        assemblyId: found.assemblyId,
      };
    },

    inbox: {
      /** An Accept or Reject of a proposal in an assembly convened here; false when it is about no proposal. */
      async onRatification(activity: Activity): Promise<boolean> {
        const answer = ratificationAnswerOf(activity);
        const objectIri = activity.objectId?.href;
        if (!answer || !objectIri) return false;
        const proposal = await room.contribution(objectIri);
        if (proposal?.kind !== "proposal") return false;
        const row = await room.get(proposal.assemblyId);
        const actorIri = activity.actorId?.href;
        const ok =
          row.role === "convener" &&
          actorIri !== undefined &&
          activity.id !== null &&
          sameOrigin(activity.id.href, actorIri) &&
          actorIri !== me() &&
          (await ratifiers(row)).includes(actorIri);
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
        const row = await room.inContext(
          announce.contextIds,
          (found) => found.role === "invited" && found.convenerIri === actorIri,
        );
        if (!row || !id.startsWith(ratificationAnnouncePrefix(row.iri))) return false;
        if (await store.get(objectIri)) return true;
        const mayRatify = await ratifiers(row);
        // Nothing is fetched unless it lives on the origin of a pod that may ratify.
        if (!mayRatify.some((iri) => sameOrigin(iri, objectIri))) {
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
          mayRatify.includes(author) &&
          (await proposalIn(row, proposalIri)) !== undefined;
        if (!verified) {
          log.info({ object: objectIri, convener: actorIri }, "announced ratification refused: not verified at origin");
          return true;
        }
        await store.add({
          iri: objectIri,
          assemblyId: row.id,
          proposalIri: proposalIri!,
          actorIri: author!,
          answer: answer!,
          decisionId: null,
          decidedAt: deps.now().toISOString(),
        });
        return true;
      },
    },
  };
}

export type RatificationRoom = ReturnType<typeof ratificationRoom>;
