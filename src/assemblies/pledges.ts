import type { Note } from "@fedify/vocab";
import { Temporal } from "@js-temporal/polyfill";
import { roomsOf } from "../db/room-db.ts";
import type { PodDeps } from "../federation/deps.ts";
import { ProblemError, conflict, notFound } from "../http/problem.ts";
import type { OffersService } from "../offers/service.ts";
import { formatMilli } from "../offers/quantity.ts";
import type { Assembly, ContributionRow } from "./model.ts";
import type { AssembliesRoom } from "./room.ts";
import { barterStore, type Pledge } from "./store-barter.ts";
import { CONFIRMED, pledgeOf, tagNames, withMarker, withPledge, type PledgeTerms } from "./to-as-barter.ts";

export type { Pledge };

/** What a participant gives to propose a pledge; the offer's name, unit and giver come from the view. */
export interface PledgeInput {
  offerIri: string;
  receiverIri: string;
  quantityMilli: number;
  /** YYYY-MM-DD, in this pod's time zone. */
  due: string;
}

/** A live offer as the barter table knows it (the view's row). */
export interface KnownOffer {
  iri: string;
  podIri: string;
  name: string;
  unit: string | null;
  availableMilli: number | null;
}

export interface PledgeDeps {
  deps: PodDeps;
  room: AssembliesRoom;
  offers: Pick<OffersService, "claim">;
  /** The pods taking part: the convener and every invited pod that has not declined or left. */
  takingPart: (assembly: Assembly) => Promise<Set<string>>;
  nameOf: (actorIri: string) => string;
  /** A participant's live offer, by IRI. */
  offerOf: (assembly: Assembly, offerIri: string) => Promise<KnownOffer | undefined>;
  words: (key: "pledge" | "confirmed", params: Record<string, string>) => string;
}

const bad = (field: string, detail: string) =>
  new ProblemError({ status: 422, title: "Unprocessable Content", detail, field });
const sameOrigin = (a: string, b: string) => URL.parse(a)?.origin === URL.parse(b)?.origin;

/** Pledges at an assembly: proposed by any participant, confirmed only by the giving pod (a claim on its offer). */
export function assemblyPledgesOf({ deps, room, offers, takingPart, nameOf, offerOf, words }: PledgeDeps) {
  const { config, log } = deps;
  const store = barterStore(roomsOf(deps));
  const get = store.pledge;
  const zone = () => config.timeZone;
  const dueDay = (at: Date) =>
    Temporal.Instant.fromEpochMilliseconds(at.getTime() - 1)
      .toZonedDateTimeISO(zone())
      .toPlainDate()
      .toString();
  const sentence = (terms: PledgeTerms, due: string) =>
    words("pledge", {
      giver: nameOf(terms.giverIri),
      quantity: formatMilli(terms.quantityMilli),
      unit: terms.unit,
      offer: terms.offerName,
      receiver: nameOf(terms.receiverIri),
      due,
    });

  /** A pledge entering the record: its parties take part, its offer lives on the giver's origin. */
  async function readPledge(assembly: Assembly, note: Note, terms: PledgeTerms): Promise<boolean> {
    const pods = await takingPart(assembly);
    const ok =
      pods.has(terms.giverIri) &&
      pods.has(terms.receiverIri) &&
      terms.giverIri !== terms.receiverIri &&
      sameOrigin(terms.offerIri, terms.giverIri);
    if (!ok) return false;
    await store.addPledge({
      iri: note.id!.href,
      assemblyId: assembly.id,
      proposerIri: note.attributionId!.href,
      giverIri: terms.giverIri,
      receiverIri: terms.receiverIri,
      offerIri: terms.offerIri,
      offerName: terms.offerName,
      quantityMilli: terms.quantityMilli,
      unit: terms.unit,
      due: dueDay(terms.dueBy),
      state: "proposed",
      confirmationIri: null,
      confirmedAt: null,
      claimId: null,
      createdAt: deps.now().toISOString(),
    });
    return true;
  }

  /** A confirmation counts only from the giving pod, once. */
  async function readConfirmation(assembly: Assembly, note: Note): Promise<boolean> {
    const pledge = note.replyTargetId ? await get(note.replyTargetId.href) : undefined;
    const author = note.attributionId?.href;
    if (!pledge || pledge.assemblyId !== assembly.id || author !== pledge.giverIri) {
      log.info({ note: note.id?.href, author, pledge: pledge?.iri }, "pledge confirmation refused: not the giver's");
      return false;
    }
    if (pledge.state === "confirmed") return pledge.confirmationIri === note.id!.href;
    if (await store.confirmPledge(pledge.iri, note.id!.href, deps.now().toISOString())) return true;
    // Confirmed meanwhile: this confirmation counts only if it is the one that confirmed it.
    return (await get(pledge.iri))?.confirmationIri === note.id!.href;
  }

  return {
    get,
    list: store.pledges,

    async propose(assembly: Assembly, input: PledgeInput): Promise<string> {
      const offer = await offerOf(assembly, input.offerIri);
      if (!offer) throw bad("offerIri", "not a live offer of a pod taking part");
      if (!(await takingPart(assembly)).has(input.receiverIri)) throw bad("receiverIri", "not a pod taking part");
      if (offer.podIri === input.receiverIri) throw bad("receiverIri", "a pod does not pledge to itself");
      if (offer.availableMilli !== null && input.quantityMilli > offer.availableMilli) {
        throw bad("quantity", "more than the offer still has");
      }
      const dueBy = Temporal.PlainDate.from(input.due).add({ days: 1 }).toZonedDateTime(zone()).toInstant();
      if (dueBy.epochMilliseconds <= deps.now().getTime()) throw bad("due", "must not be in the past");
      const terms: PledgeTerms = {
        giverIri: offer.podIri,
        receiverIri: input.receiverIri,
        offerIri: offer.iri,
        offerName: offer.name,
        quantityMilli: input.quantityMilli,
        unit: offer.unit ?? "",
        dueBy: new Date(dueBy.epochMilliseconds),
      };
      return room.contribute(assembly.id, { kind: "pledge", text: sentence(terms, input.due) }, (note) =>
        withPledge(note, terms),
      );
    },

    /** The giving pod confirms: a claim on its offer (its quantity drops, followers are told), then the reply. */
    async confirm(assembly: Assembly, pledgeIri: string): Promise<Pledge> {
      const pledge = await get(pledgeIri);
      if (!pledge || pledge.assemblyId !== assembly.id) throw notFound(`no pledge ${pledgeIri}`);
      if (pledge.giverIri !== room.self()) throw bad("pledge", "only the giving pod confirms a pledge");
      if (pledge.state !== "proposed") throw conflict("this pledge is already confirmed");
      const path = URL.parse(pledge.offerIri);
      const offerId =
        path?.origin === new URL(config.url).origin ? /^\/offers\/([\w-]+)$/.exec(path.pathname)?.[1] : null;
      if (!offerId) throw bad("pledge", "the pledged offer is not this pod's");
      // Taken before the claim, in one statement: a double submit or a retry claims the offer once.
      if (!(await store.takeForClaim(pledge.iri))) throw conflict("this pledge is already being confirmed");
      const claimed = await offers
        .claim("offer", offerId, {
          neighbor: nameOf(pledge.receiverIri).slice(0, 120),
          quantity: pledge.quantityMilli,
          note: `${assembly.title}`.slice(0, 1000),
        })
        .catch(async (error: unknown) => {
          await store.setClaim(pledge.iri, null);
          throw error;
        });
      const { claim } = claimed;
      // The claim is made: recorded now, so that even a failed reply below never leads to a second claim.
      await store.setClaim(pledge.iri, claim.id);
      const text = words("confirmed", {
        quantity: formatMilli(pledge.quantityMilli),
        unit: pledge.unit,
        offer: pledge.offerName,
        receiver: nameOf(pledge.receiverIri),
        due: pledge.due,
      });
      await room.contribute(assembly.id, { kind: "reply", text, inReplyTo: pledge.iri }, (note) =>
        withMarker(config, note, CONFIRMED),
      );
      return (await get(pledge.iri))!;
    },

    async read(assembly: Assembly, note: Note): Promise<boolean> {
      const tags = await tagNames(note);
      if (tags.includes(CONFIRMED) && note.replyTargetId) return readConfirmation(assembly, note);
      if (!tags.includes("pledge")) return true;
      const terms = await pledgeOf(note);
      if (!terms || !(await readPledge(assembly, note, terms))) {
        log.info({ note: note.id?.href }, "pledge refused: its terms do not hold");
        return false;
      }
      return true;
    },

    async structure(row: ContributionRow, note: Note): Promise<Note> {
      if (row.kind === "pledge") {
        const pledge = await get(row.iri);
        if (!pledge) return note;
        const dueBy = Temporal.PlainDate.from(pledge.due).add({ days: 1 }).toZonedDateTime(zone()).toInstant();
        return withPledge(note, { ...pledge, dueBy: new Date(dueBy.epochMilliseconds) });
      }
      const confirmed = await store.pledgeConfirmedBy(row.assemblyId, row.iri);
      return confirmed ? withMarker(config, note, CONFIRMED) : note;
    },
  };
}

export type AssemblyPledges = ReturnType<typeof assemblyPledgesOf>;
