import type { Context, InboxContext } from "@fedify/fedify";
import { Activity, Event, Note, type Announce, type Create, type Invite } from "@fedify/vocab";
import { Temporal } from "@js-temporal/polyfill";
import { and, asc, desc, eq, isNotNull } from "drizzle-orm";
import { uuidv7 } from "uuidv7";
import type { EventDispatcher } from "../events/dispatcher.ts";
import type { PodDeps } from "../federation/deps.ts";
import { recipientOf } from "../follows/federation.ts";
import { getFollower, getFollowing } from "../follows/service.ts";
import { ProblemError, notFound } from "../http/problem.ts";
import { renderMarkdown } from "../practices/markdown.ts";
import { sanitize } from "../web/sanitize.ts";
import { escapeHtml } from "../web/html.ts";
import { paragraphs } from "../publishing/text.ts";
import { addressedToPublic, noOutcomes } from "./outcomes-as.ts";
import type {
  Assembly,
  ContributeInput,
  ContributionKind,
  ContributionRow,
  ConveneInput,
  Participant,
} from "./model.ts";
import { assemblies, assemblyContributions, assemblyParticipants } from "./schema.ts";
import {
  answerActivity,
  answerAnnounce,
  answerKindOf,
  assemblyInvite,
  assemblyToEvent,
  contributionAnnounce,
  contributionCreate,
  contributionNote,
  kindOf,
  type AnswerKind,
} from "./to-as.ts";

const SEND = "assembly.send";
type Address = { actorIri: string; inbox: string };

const bad = (field: string, detail: string) =>
  new ProblemError({ status: 422, title: "Unprocessable Content", detail, field });

/** A pod this pod follows (accepted) or that follows it: the only pods whose invitations count. */
function relatedPod(deps: PodDeps, actorIri: string) {
  const followed = getFollowing(deps.db, actorIri);
  if (followed?.state === "accepted") return followed;
  const follower = getFollower(deps.db, actorIri);
  return follower?.state === "accepted" ? follower : undefined;
}

const sameOrigin = (a: string, b: string) => URL.parse(a)?.origin === URL.parse(b)?.origin;

/**
 * A room that reads structure in contributions (pledges, crisis threads: barter.ts) sees each one before it enters
 * the record, on every path (this pod's own, a participant's Create at the convener, the convener's Announce):
 * it records what the contribution says, or refuses it (false: it is neither stored nor re-distributed).
 */
export interface ContributionReader {
  read(assembly: Assembly, note: Note): Promise<boolean>;
  /** The structure this pod's own contribution carries when served at its IRI. */
  structure(row: ContributionRow, note: Note): Note;
}

/** Confederal assemblies: convene, answer, and keep one shared record the convener re-distributes. */
export function assembliesRoom(deps: PodDeps, contextFor: () => Context<null>, events: EventDispatcher) {
  const { db, config, log } = deps;
  const readers: ContributionReader[] = [];
  const onConvened: ((row: Assembly) => void)[] = [];
  const admits = async (row: Assembly, note: Note) => {
    for (const reader of readers) if (!(await reader.read(row, note))) return false;
    return true;
  };
  const sender = { identifier: config.handle };
  const me = () => contextFor().getActorUri(config.handle);

  const contributionIri = (id: string) => new URL(`/assemblies/contributions/${id}`, config.url).href;
  const find = (id: string): Assembly => {
    const row = db.select().from(assemblies).where(eq(assemblies.id, id)).get();
    if (!row) throw notFound(`no assembly ${id}`);
    return row;
  };
  const byIri = (iri: string) => db.select().from(assemblies).where(eq(assemblies.iri, iri)).get();
  const participants = (id: string): Participant[] =>
    db
      .select()
      .from(assemblyParticipants)
      .where(eq(assemblyParticipants.assemblyId, id))
      .orderBy(asc(assemblyParticipants.actorIri))
      .all();
  const participant = (id: string, actorIri: string) =>
    db
      .select()
      .from(assemblyParticipants)
      .where(and(eq(assemblyParticipants.assemblyId, id), eq(assemblyParticipants.actorIri, actorIri)))
      .get();
  /** Who the convener's Announces go to: every pod that accepted, even tentatively. */
  const attending = (id: string) =>
    participants(id).filter((p) => (p.answer === "accepted" || p.answer === "tentative") && p.inbox);

  // Every activity goes out through the event dispatcher: it commits with the change it tells about.
  events.on(SEND, async ({ activity, to }: { activity: unknown; to: Address[] }) => {
    const ctx = contextFor();
    const loaders = { documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader };
    const parsed = await Activity.fromJsonLd(activity, loaders);
    await ctx.sendActivity(
      sender,
      to.map((p) => recipientOf({ ...p, sharedInbox: null })),
      parsed,
    );
  });

  /** The activity ready to be recorded in a transaction (its JSON-LD is made outside it: that is async). */
  async function outgoing(activity: Activity, to: { actorIri: string; inbox: string | null }[]) {
    const json = await activity.toJsonLd();
    const addresses = to.filter((p): p is Address => p.inbox !== null);
    return (tx: Parameters<EventDispatcher["record"]>[0]) => {
      if (addresses.length > 0) events.record(tx, SEND, { activity: json, to: addresses }, activity.id?.href ?? null);
    };
  }

  /** Stores a contribution into the record (the convener's side) and re-distributes it to every participant. */
  async function announce(row: Assembly, note: Note, kind: ContributionRow["kind"]): Promise<boolean> {
    if (!(await admits(row, note))) return false;
    const at = deps.now();
    const to = attending(row.id);
    const queued = await outgoing(
      contributionAnnounce(
        me(),
        row.iri,
        note.id!.href,
        to.map((p) => p.actorIri),
        at,
      ),
      to,
    );
    db.transaction((tx) => {
      const inserted = tx
        .insert(assemblyContributions)
        .values({
          iri: note.id!.href,
          assemblyId: row.id,
          authorIri: note.attributionId!.href,
          kind,
          contentHtml: sanitize(String(note.content ?? "")),
          inReplyTo: note.replyTargetId?.href ?? null,
          publishedAt: note.published ? new Date(note.published.epochMilliseconds).toISOString() : at.toISOString(),
          announcedAt: at.toISOString(),
        })
        .onConflictDoNothing()
        .run();
      if (inserted.changes > 0) queued(tx);
    });
    await events.settle();
    return true;
  }

  return {
    useReader: (reader: ContributionReader) => void readers.push(reader),
    /** Runs after an assembly is convened here (barter.ts drafts its agenda). */
    whenConvened: (hook: (row: Assembly) => void) => void onConvened.push(hook),
    /** Sends an activity about an assembly to these pods, committed with `change` (barter.ts: agenda Updates). */
    async deliver(
      activity: Activity,
      to: { actorIri: string; inbox: string | null }[],
      change: (tx: Pick<PodDeps["db"], "insert" | "update">) => void,
    ): Promise<void> {
      const queued = await outgoing(activity, to);
      db.transaction((tx) => {
        change(tx);
        queued(tx);
      });
      await events.settle();
    },
    get: find,
    byIri,
    attending,
    outgoing,
    self: () => me().href,
    contributionIri,
    participants,
    list: (): Assembly[] => db.select().from(assemblies).orderBy(desc(assemblies.startTime)).all(),
    /** The shared record in its one order: as the convener announced it. */
    record: (id: string): ContributionRow[] =>
      db
        .select()
        .from(assemblyContributions)
        .where(and(eq(assemblyContributions.assemblyId, id), isNotNull(assemblyContributions.announcedAt)))
        .orderBy(asc(assemblyContributions.announcedAt), asc(assemblyContributions.iri))
        .all(),
    /** This pod's own contribution, served at its IRI (participants verify it at its origin). */
    ownContribution(iri: string): ContributionRow | undefined {
      const row = db.select().from(assemblyContributions).where(eq(assemblyContributions.iri, iri)).get();
      return row && row.authorIri === me().href ? row : undefined;
    },
    /** Whether an actor may read this assembly's participants-only objects: its convener or a participant. */
    mayRead(assemblyId: string, actorIri: string | null): boolean {
      if (actorIri === null) return false;
      return find(assemblyId).convenerIri === actorIri || participant(assemblyId, actorIri) !== undefined;
    },
    eventOf(row: Assembly): Event {
      return assemblyToEvent(
        row,
        participants(row.id).map((p) => p.actorIri),
      );
    },
    noteOf(row: ContributionRow): Note {
      const assembly = find(row.assemblyId);
      const note = contributionNote(config, { ...row, eventIri: assembly.iri }, assembly.convenerIri);
      return readers.reduce((built, reader) => reader.structure(row, built), note);
    },

    async convene(input: ConveneInput): Promise<Assembly> {
      const zone = config.timeZone;
      const utc = (wall: string) =>
        new Date(Temporal.PlainDateTime.from(wall).toZonedDateTime(zone).toInstant().epochMilliseconds).toISOString();
      const invited = [...new Set(input.invited)].map((iri) => {
        const row = getFollowing(db, iri);
        if (row?.state !== "accepted") throw bad("invited", `this pod does not follow ${iri}`);
        return row;
      });
      const id = uuidv7();
      const iri = new URL(`/assemblies/${id}`, config.url).href;
      const values: Assembly = {
        id,
        iri,
        inviteIri: `${iri}#invite`,
        role: "convener",
        convenerIri: me().href,
        convenerInbox: null,
        title: input.title,
        startTime: utc(input.startTime),
        endTime: input.endTime ? utc(input.endTime) : null,
        timeZone: zone,
        placeName: input.placeName,
        onlineUrl: input.onlineUrl ?? null,
        agendaHtml: renderMarkdown(input.agenda),
        answer: null,
        createdAt: deps.now().toISOString(),
        ...noOutcomes,
        visibility: input.visibility,
      };
      const to = invited.map((p) => p.actorIri);
      const queued = await outgoing(assemblyInvite(values, to), invited);
      const row = db.transaction((tx) => {
        const inserted = tx.insert(assemblies).values(values).returning().get();
        for (const pod of invited) {
          tx.insert(assemblyParticipants)
            .values({ assemblyId: id, actorIri: pod.actorIri, inbox: pod.inbox, answer: "invited", answeredAt: null })
            .run();
        }
        queued(tx);
        return inserted;
      });
      await events.settle();
      log.info({ assembly: iri, invited: to.length }, "assembly convened");
      for (const hook of onConvened) hook(row);
      return row;
    },

    /** The invited pod's answer, sent to the convener. */
    async answer(id: string, answer: AnswerKind): Promise<Assembly> {
      const row = find(id);
      if (row.role !== "invited" || !row.convenerInbox) throw bad("answer", "only an invited pod answers");
      const answerIri = new URL(`/assemblies/${id}/answers/${uuidv7()}`, config.url);
      const queued = await outgoing(answerActivity(me(), row, answer, answerIri), [
        { actorIri: row.convenerIri, inbox: row.convenerInbox },
      ]);
      const updated = db.transaction((tx) => {
        tx.update(assemblyParticipants)
          .set({ answer, answeredAt: deps.now().toISOString() })
          .where(and(eq(assemblyParticipants.assemblyId, id), eq(assemblyParticipants.actorIri, me().href)))
          .run();
        queued(tx);
        return tx.update(assemblies).set({ answer }).where(eq(assemblies.id, id)).returning().get()!;
      });
      await events.settle();
      return updated;
    },

    /**
     * A contribution by this pod: the convener records it at once; a participant sends it to the convener.
     * `structure` lays a pledge's or crisis's terms on the Note (to-as-barter.ts).
     */
    async contribute(
      id: string,
      input: Omit<ContributeInput, "kind"> & { kind: ContributionKind },
      structure: (note: Note) => Note = (note) => note,
    ): Promise<string> {
      const row = find(id);
      const attendingHere = row.role === "convener" || row.answer === "accepted" || row.answer === "tentative";
      if (!attendingHere) throw bad("text", "answer the invitation before contributing");
      const iri = contributionIri(uuidv7());
      const plain = contributionNote(
        config,
        {
          iri,
          eventIri: row.iri,
          authorIri: me().href,
          kind: input.kind,
          contentHtml: paragraphs(escapeHtml(input.text)),
          inReplyTo: input.inReplyTo ?? null,
          publishedAt: deps.now().toISOString(),
        },
        row.convenerIri,
      );
      const note = structure(plain);
      if (row.role === "convener") {
        if (!(await announce(row, note, input.kind))) throw bad("text", "this contribution is refused");
        return iri;
      }
      if (!(await admits(row, note))) throw bad("text", "this contribution is refused");
      const queued = await outgoing(contributionCreate(note, me()), [
        { actorIri: row.convenerIri, inbox: row.convenerInbox },
      ]);
      db.transaction((tx) => {
        tx.insert(assemblyContributions)
          .values({
            iri,
            assemblyId: id,
            authorIri: me().href,
            kind: input.kind,
            contentHtml: String(note.content),
            inReplyTo: input.inReplyTo ?? null,
            publishedAt: deps.now().toISOString(),
            announcedAt: null,
          })
          .run();
        queued(tx);
      });
      await events.settle();
      return iri;
    },

    inbox: {
      /** An Invite from a related pod whose Event it convened; anything else is refused, nothing stored. */
      async onInvite(ctx: InboxContext<null>, invite: Invite): Promise<void> {
        const actorIri = invite.actorId?.href;
        if (!actorIri || !invite.id) return;
        const pod = relatedPod(deps, actorIri);
        if (!pod) return log.info({ invite: invite.id.href, actor: actorIri }, "invite refused: not a neighbor pod");
        if (!invite.toIds.some((iri) => iri.href === me().href)) return;
        const event = await invite.getObject(ctx).catch(() => null);
        if (!(event instanceof Event) || !event.id || !event.startTime) return;
        if (event.attributionId?.href !== actorIri || !sameOrigin(event.id.href, actorIri)) {
          return log.info({ invite: invite.id.href }, "invite refused: the event is not the signer's");
        }
        if (!sameOrigin(invite.id.href, actorIri) || byIri(event.id.href)) return;
        const place = await event.getLocation(ctx).catch(() => null);
        const online = place && "url" in place && place.url instanceof URL ? place.url.href : null;
        const id = uuidv7();
        const zoned = event.startTime.toZonedDateTimeISO("UTC");
        db.transaction((tx) => {
          tx.insert(assemblies)
            .values({
              id,
              iri: event.id!.href,
              inviteIri: invite.id!.href,
              role: "invited",
              convenerIri: actorIri,
              convenerInbox: pod.inbox,
              title: String(event.name ?? "").slice(0, 200),
              startTime: new Date(zoned.epochMilliseconds).toISOString(),
              endTime: event.endTime ? new Date(event.endTime.epochMilliseconds).toISOString() : null,
              timeZone: config.timeZone,
              placeName: String(place?.name ?? "").slice(0, 300),
              onlineUrl: online && /^https?:/.test(online) ? online : null,
              agendaHtml: sanitize(String(event.content ?? "")),
              answer: null,
              createdAt: deps.now().toISOString(),
              visibility: addressedToPublic(event) ? "public" : "participants",
            })
            .run();
          for (const iri of invite.toIds.slice(0, 100)) {
            tx.insert(assemblyParticipants)
              .values({ assemblyId: id, actorIri: iri.href, inbox: null, answer: "invited", answeredAt: null })
              .onConflictDoNothing()
              .run();
          }
        });
        log.info({ assembly: event.id.href, convener: actorIri }, "assembly invitation received");
      },

      /** An answer to one of our Invites (or a Leave of our Event); false when it is not about an assembly. */
      async onAnswer(activity: Activity): Promise<boolean> {
        const objectIri = activity.objectId?.href;
        const kind = answerKindOf(activity);
        if (!objectIri || !kind) return false;
        const row = db.select().from(assemblies).where(eq(assemblies.inviteIri, objectIri)).get() ?? byIri(objectIri);
        if (!row) return false;
        const actorIri = activity.actorId?.href;
        if (row.role !== "convener" || !actorIri || !participant(row.id, actorIri)) return true;
        // Every invited pod but the one answering learns the answer, so all show the same participants.
        const others = participants(row.id).filter((p) => p.actorIri !== actorIri);
        const relay = answerAnnounce(
          me(),
          row.iri,
          activity,
          others.map((p) => p.actorIri),
        );
        const queued = await outgoing(relay, others);
        db.transaction((tx) => {
          tx.update(assemblyParticipants)
            .set({ answer: kind, answeredAt: deps.now().toISOString() })
            .where(and(eq(assemblyParticipants.assemblyId, row.id), eq(assemblyParticipants.actorIri, actorIri)))
            .run();
          queued(tx);
        });
        await events.settle();
        log.info({ assembly: row.iri, actor: actorIri, answer: kind }, "assembly answer received");
        return true;
      },

      /** A participant's contribution to an assembly convened here; false when the Create is not about one. */
      async onCreate(ctx: InboxContext<null>, create: Create): Promise<boolean> {
        const note = await create.getObject(ctx).catch(() => null);
        if (!(note instanceof Note) || !note.id) return false;
        const row = note.contextIds.map((iri) => byIri(iri.href)).find((found) => found?.role === "convener");
        if (!row) return false;
        const actorIri = create.actorId!.href;
        const who = participant(row.id, actorIri);
        const ok =
          (who?.answer === "accepted" || who?.answer === "tentative") &&
          note.attributionId?.href === actorIri &&
          sameOrigin(note.id.href, actorIri);
        if (!ok) {
          log.info({ note: note.id.href, actor: actorIri }, "contribution refused");
          return true;
        }
        const tags = [];
        for await (const tag of note.getTags(ctx)) tags.push(String((tag as { name?: unknown }).name ?? ""));
        if (!(await announce(row, note, kindOf(note, tags)))) {
          log.info({ note: note.id.href, actor: actorIri }, "contribution refused by its room");
        }
        return true;
      },

      /** The convener's re-distribution: verified at the contribution's origin before it enters the record. */
      async onAnnounce(ctx: InboxContext<null>, announce: Announce): Promise<boolean> {
        const actorIri = announce.actorId?.href;
        const objectIri = announce.objectId?.href;
        if (!actorIri || !objectIri) return false;
        const row = announce.contextIds
          .map((iri) => byIri(iri.href))
          .find((found) => found?.role === "invited" && found.convenerIri === actorIri);
        if (!row) return false;
        const relayed = await announce.getObject({ ...ctx, crossOrigin: "trust" }).catch(() => null);
        const answer = answerKindOf(relayed);
        if (answer && relayed instanceof Object && "actorId" in relayed) {
          const who = (relayed as Activity).actorId?.href;
          if (who && who !== me().href && participant(row.id, who)) {
            db.update(assemblyParticipants)
              .set({ answer, answeredAt: deps.now().toISOString() })
              .where(and(eq(assemblyParticipants.assemblyId, row.id), eq(assemblyParticipants.actorIri, who)))
              .run();
          }
          return true;
        }
        const at = announce.published ? new Date(announce.published.epochMilliseconds) : deps.now();
        const own = db.select().from(assemblyContributions).where(eq(assemblyContributions.iri, objectIri)).get();
        if (own) {
          if (own.assemblyId === row.id && !own.announcedAt) {
            db.update(assemblyContributions)
              .set({ announcedAt: at.toISOString() })
              .where(eq(assemblyContributions.iri, objectIri))
              .run();
          }
          return true;
        }
        // Signed (the inbox's loader signs as the pod): participants' objects are served to participants only.
        const fetched = await ctx.lookupObject(objectIri).catch(() => null);
        const authorIri = fetched instanceof Note ? fetched.attributionId?.href : undefined;
        const verified =
          fetched instanceof Note &&
          fetched.id?.href === objectIri &&
          authorIri !== undefined &&
          sameOrigin(authorIri, objectIri) &&
          fetched.contextIds.some((iri) => iri.href === row.iri) &&
          (authorIri === row.convenerIri || participant(row.id, authorIri) !== undefined);
        if (!verified) {
          log.info({ object: objectIri, convener: actorIri }, "announced contribution refused: not verified at origin");
          return true;
        }
        const tags = [];
        for await (const tag of fetched.getTags(ctx)) tags.push(String((tag as { name?: unknown }).name ?? ""));
        if (!(await admits(row, fetched))) {
          log.info({ object: objectIri, convener: actorIri }, "announced contribution refused by its room");
          return true;
        }
        db.insert(assemblyContributions)
          .values({
            iri: objectIri,
            assemblyId: row.id,
            authorIri,
            kind: kindOf(fetched, tags),
            contentHtml: sanitize(String(fetched.content ?? "")),
            inReplyTo: fetched.replyTargetId?.href ?? null,
            publishedAt: fetched.published
              ? new Date(fetched.published.epochMilliseconds).toISOString()
              : at.toISOString(),
            announcedAt: at.toISOString(),
          })
          .onConflictDoNothing()
          .run();
        return true;
      },
    },
  };
}

export type AssembliesRoom = ReturnType<typeof assembliesRoom>;
