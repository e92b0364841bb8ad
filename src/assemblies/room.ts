import type { Context, InboxContext } from "@fedify/fedify";
import { Activity, Event, Note, type Announce, type Create, type Invite } from "@fedify/vocab";
import { Temporal } from "@js-temporal/polyfill";
import { uuidv7 } from "uuidv7";
import type { RoomQueries } from "../db/room-db.ts";
import { roomsOf } from "../db/room-db.ts";
import type { EventDispatcher } from "../events/dispatcher.ts";
import type { PodDeps } from "../federation/deps.ts";
import { recipientOf } from "../follows/federation.ts";
import { followsOf } from "../follows/room.ts";
import type { Followed } from "../follows/room.ts";
import { ProblemError } from "../http/problem.ts";
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
import { assembliesStore, type AssemblyChange } from "./store.ts";
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
async function relatedPod(deps: PodDeps, actorIri: string) {
  const { store } = followsOf(deps);
  const followed = await store.getFollowing(actorIri);
  if (followed?.state === "accepted") return followed;
  const follower = await store.getFollower(actorIri);
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
  structure(row: ContributionRow, note: Note): Promise<Note>;
}

/** Confederal assemblies: convene, answer, and keep one shared record the convener re-distributes. */
export function assembliesRoom(deps: PodDeps, contextFor: () => Context<null>, events: EventDispatcher) {
  const { config, log } = deps;
  const readers: ContributionReader[] = [];
  const onConvened: ((row: Assembly) => Promise<unknown>)[] = [];
  const rooms = roomsOf(deps);
  const store = assembliesStore(rooms);
  const admits = async (row: Assembly, note: Note) => {
    for (const reader of readers) if (!(await reader.read(row, note))) return false;
    return true;
  };
  const sender = { identifier: config.handle };
  const me = () => contextFor().getActorUri(config.handle);

  const contributionIri = (id: string) => new URL(`/assemblies/contributions/${id}`, config.url).href;
  const find = store.get;
  const { byIri, participants, participant } = store;
  /** Who the convener's Announces go to: every pod that accepted, even tentatively. */
  const attending = async (id: string): Promise<Participant[]> =>
    (await participants(id)).filter((p) => (p.answer === "accepted" || p.answer === "tentative") && p.inbox);
  /** The first of these IRIs that names an assembly this copy holds in the given role (the activity's context). */
  async function inContext(iris: URL[], fits: (row: Assembly) => boolean): Promise<Assembly | undefined> {
    for (const iri of iris.slice(0, 20)) {
      const row = await byIri(iri.href);
      if (row && fits(row)) return row;
    }
    return undefined;
  }

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

  /** The activity ready to be recorded within a RoomDb write (its JSON-LD is made before it: that is slow). */
  async function outgoing(activity: Activity, to: { actorIri: string; inbox: string | null }[]) {
    const json = await activity.toJsonLd();
    const addresses = to.filter((p): p is Address => p.inbox !== null);
    return async (tx: RoomQueries): Promise<void> => {
      if (addresses.length === 0) return;
      await events.recordWithin(tx, SEND, { activity: json, to: addresses }, activity.id?.href ?? null);
    };
  }

  /** Stores a contribution into the record (the convener's side) and re-distributes it to every participant. */
  async function announce(row: Assembly, note: Note, kind: ContributionRow["kind"]): Promise<boolean> {
    if (!(await admits(row, note))) return false;
    const at = deps.now();
    const to = await attending(row.id);
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
    await rooms.write(async (tx) => {
      const inserted = await store.contributeWithin(tx, {
        iri: note.id!.href,
        assemblyId: row.id,
        authorIri: note.attributionId!.href,
        kind,
        contentHtml: sanitize(String(note.content ?? "")),
        inReplyTo: note.replyTargetId?.href ?? null,
        publishedAt: note.published ? new Date(note.published.epochMilliseconds).toISOString() : at.toISOString(),
        announcedAt: at.toISOString(),
      });
      if (inserted) await queued(tx);
    });
    await events.settle();
    return true;
  }

  return {
    useReader: (reader: ContributionReader) => void readers.push(reader),
    /** Runs after an assembly is convened here (barter.ts drafts its agenda). */
    whenConvened: (hook: (row: Assembly) => Promise<unknown>) => void onConvened.push(hook),
    /** Sends an activity about an assembly to these pods, committed with `change` (barter.ts: agenda Updates). */
    async deliver(
      activity: Activity,
      to: { actorIri: string; inbox: string | null }[],
      change: (tx: RoomQueries) => Promise<void>,
    ): Promise<void> {
      const queued = await outgoing(activity, to);
      await rooms.write(async (tx) => {
        await change(tx);
        await queued(tx);
      });
      await events.settle();
    },
    get: find,
    byIri,
    inContext,
    attending,
    participant,
    changeWithin: store.changeWithin,
    publishMinutesWithin: store.publishMinutesWithin,
    /** Changes an assembly on its own (the convener's Update of its Event on this copy). */
    change: (id: string, change: AssemblyChange) => rooms.write((tx) => store.changeWithin(tx, id, change)),
    outgoing,
    self: () => me().href,
    contributionIri,
    participants,
    list: store.list,
    /** The shared record in its one order: as the convener announced it (`kind`: of that kind only). */
    record: store.record,
    /** This pod's own contribution, served at its IRI (participants verify it at its origin). */
    async ownContribution(iri: string): Promise<ContributionRow | undefined> {
      const row = await store.contribution(iri);
      return row && row.authorIri === me().href ? row : undefined;
    },
    /** Any contribution this copy holds, announced or not. */
    contribution: store.contribution,
    /** Whether this actor convened any assembly this copy knows (checked before anything is fetched). */
    convenedAny: store.convenedAny,
    /** Whether an actor may read this assembly's participants-only objects: its convener or a participant. */
    async mayRead(assemblyId: string, actorIri: string | null): Promise<boolean> {
      if (actorIri === null) return false;
      if ((await find(assemblyId)).convenerIri === actorIri) return true;
      return (await participant(assemblyId, actorIri)) !== undefined;
    },
    async eventOf(row: Assembly): Promise<Event> {
      return assemblyToEvent(
        row,
        (await participants(row.id)).map((p) => p.actorIri),
      );
    },
    async noteOf(row: ContributionRow): Promise<Note> {
      const assembly = await find(row.assemblyId);
      let note = contributionNote(config, { ...row, eventIri: assembly.iri }, assembly.convenerIri);
      for (const reader of readers) note = await reader.structure(row, note);
      return note;
    },

    async convene(input: ConveneInput): Promise<Assembly> {
      const zone = config.timeZone;
      const utc = (wall: string) =>
        new Date(Temporal.PlainDateTime.from(wall).toZonedDateTime(zone).toInstant().epochMilliseconds).toISOString();
      const invited: Followed[] = [];
      for (const iri of new Set(input.invited)) {
        const row = await followsOf(deps).store.getFollowing(iri);
        if (row?.state !== "accepted") throw bad("invited", `this pod does not follow ${iri}`);
        invited.push(row);
      }
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
      const row = await rooms.write(async (tx) => {
        const inserted = await store.insertWithin(
          tx,
          values,
          invited.map((pod) => ({
            assemblyId: id,
            actorIri: pod.actorIri,
            inbox: pod.inbox,
            answer: "invited" as const,
            answeredAt: null,
          })),
        );
        await queued(tx);
        return inserted!; // a new id and IRI: never stored before
      });
      await events.settle();
      log.info({ assembly: iri, invited: to.length }, "assembly convened");
      for (const hook of onConvened) await hook(row);
      return row;
    },

    /** The invited pod's answer, sent to the convener. */
    async answer(id: string, answer: AnswerKind): Promise<Assembly> {
      const row = await find(id);
      if (row.role !== "invited" || !row.convenerInbox) throw bad("answer", "only an invited pod answers");
      const answerIri = new URL(`/assemblies/${id}/answers/${uuidv7()}`, config.url);
      const queued = await outgoing(answerActivity(me(), row, answer, answerIri), [
        { actorIri: row.convenerIri, inbox: row.convenerInbox },
      ]);
      const updated = await rooms.write(async (tx) => {
        await store.answerWithin(tx, id, me().href, answer, deps.now().toISOString());
        await queued(tx);
        return store.changeWithin(tx, id, { answer });
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
      const row = await find(id);
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
      await rooms.write(async (tx) => {
        await store.contributeWithin(tx, {
          iri,
          assemblyId: id,
          authorIri: me().href,
          kind: input.kind,
          contentHtml: String(note.content),
          inReplyTo: input.inReplyTo ?? null,
          publishedAt: deps.now().toISOString(),
          announcedAt: null,
        });
        await queued(tx);
      });
      await events.settle();
      return iri;
    },

    inbox: {
      /** An Invite from a related pod whose Event it convened; anything else is refused, nothing stored. */
      async onInvite(ctx: InboxContext<null>, invite: Invite): Promise<void> {
        const actorIri = invite.actorId?.href;
        if (!actorIri || !invite.id) return;
        const pod = await relatedPod(deps, actorIri);
        if (!pod) return log.info({ invite: invite.id.href, actor: actorIri }, "invite refused: not a neighbor pod");
        if (!invite.toIds.some((iri) => iri.href === me().href)) return;
        const event = await invite.getObject(ctx).catch(() => null);
        if (!(event instanceof Event) || !event.id || !event.startTime) return;
        if (event.attributionId?.href !== actorIri || !sameOrigin(event.id.href, actorIri)) {
          return log.info({ invite: invite.id.href }, "invite refused: the event is not the signer's");
        }
        if (!sameOrigin(invite.id.href, actorIri) || (await byIri(event.id.href))) return;
        const place = await event.getLocation(ctx).catch(() => null);
        const online = place && "url" in place && place.url instanceof URL ? place.url.href : null;
        const id = uuidv7();
        const zoned = event.startTime.toZonedDateTimeISO("UTC");
        const invitedPods = invite.toIds.slice(0, 100).map((iri) => ({
          assemblyId: id,
          actorIri: iri.href,
          inbox: null,
          answer: "invited" as const,
          answeredAt: null,
        }));
        const stored = await rooms.write((tx) =>
          store.insertWithin(
            tx,
            {
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
            },
            invitedPods,
          ),
        );
        if (!stored) return;
        log.info({ assembly: event.id.href, convener: actorIri }, "assembly invitation received");
      },

      /** An answer to one of our Invites (or a Leave of our Event); false when it is not about an assembly. */
      async onAnswer(activity: Activity): Promise<boolean> {
        const objectIri = activity.objectId?.href;
        const kind = answerKindOf(activity);
        if (!objectIri || !kind) return false;
        const row = (await store.byInviteIri(objectIri)) ?? (await byIri(objectIri));
        if (!row) return false;
        const actorIri = activity.actorId?.href;
        if (row.role !== "convener" || !actorIri || !(await participant(row.id, actorIri))) return true;
        // Every invited pod but the one answering learns the answer, so all show the same participants.
        const others = (await participants(row.id)).filter((p) => p.actorIri !== actorIri);
        const relay = answerAnnounce(
          me(),
          row.iri,
          activity,
          others.map((p) => p.actorIri),
        );
        const queued = await outgoing(relay, others);
        await rooms.write(async (tx) => {
          await store.answerWithin(tx, row.id, actorIri, kind, deps.now().toISOString());
          await queued(tx);
        });
        await events.settle();
        log.info({ assembly: row.iri, actor: actorIri, answer: kind }, "assembly answer received");
        return true;
      },

      /** A participant's contribution to an assembly convened here; false when the Create is not about one. */
      async onCreate(ctx: InboxContext<null>, create: Create): Promise<boolean> {
        const note = await create.getObject(ctx).catch(() => null);
        if (!(note instanceof Note) || !note.id) return false;
        const row = await inContext(note.contextIds, (found) => found.role === "convener");
        if (!row) return false;
        const actorIri = create.actorId!.href;
        const who = await participant(row.id, actorIri);
        const ok =
          (who?.answer === "accepted" || who?.answer === "tentative") &&
          note.attributionId?.href === actorIri &&
          sameOrigin(note.id.href, actorIri);
        if (!ok) {
          log.info({ note: note.id.href, actor: actorIri }, "contribution refused");
          return true;
        }
        const tags: string[] = [];
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
        const row = await inContext(
          announce.contextIds,
          (found) => found.role === "invited" && found.convenerIri === actorIri,
        );
        if (!row) return false;
        const relayed = await announce.getObject({ ...ctx, crossOrigin: "trust" }).catch(() => null);
        const answer = answerKindOf(relayed);
        if (answer && relayed instanceof Object && "actorId" in relayed) {
          const who = (relayed as Activity).actorId?.href;
          if (who && who !== me().href) {
            // Only a participant's answer changes anything: the update names the participant.
            await rooms.write((tx) => store.answerWithin(tx, row.id, who, answer, deps.now().toISOString()));
          }
          return true;
        }
        const at = announce.published ? new Date(announce.published.epochMilliseconds) : deps.now();
        if (await store.contribution(objectIri)) {
          // Enters the record once, and only in its own assembly.
          await rooms.write((tx) => store.markAnnouncedWithin(tx, objectIri, row.id, at.toISOString()));
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
          (authorIri === row.convenerIri || (await participant(row.id, authorIri)) !== undefined);
        if (!verified) {
          log.info({ object: objectIri, convener: actorIri }, "announced contribution refused: not verified at origin");
          return true;
        }
        const tags: string[] = [];
        for await (const tag of fetched.getTags(ctx)) tags.push(String((tag as { name?: unknown }).name ?? ""));
        if (!(await admits(row, fetched))) {
          log.info({ object: objectIri, convener: actorIri }, "announced contribution refused by its room");
          return true;
        }
        await rooms.write((tx) =>
          store.contributeWithin(tx, {
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
          }),
        );
        return true;
      },
    },
  };
}

export type AssembliesRoom = ReturnType<typeof assembliesRoom>;
