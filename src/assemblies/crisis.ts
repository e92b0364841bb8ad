import type { Note } from "@fedify/vocab";
import { roomsOf } from "../db/room-db.ts";
import type { PodDeps } from "../federation/deps.ts";
import { ProblemError, conflict, notFound } from "../http/problem.ts";
import type { Assembly, ContributionRow } from "./model.ts";
import type { AssembliesRoom } from "./room.ts";
import { barterStore, type Crisis } from "./store-barter.ts";
import { CLOSED, crisisOf, tagNames, withCrisis, withMarker, type CrisisTerms } from "./to-as-barter.ts";

export type { Crisis };

const bad = (field: string, detail: string) =>
  new ProblemError({ status: 422, title: "Unprocessable Content", detail, field });

/** Crisis threads: a participant opens one, others reply in it, only its opener closes it. */
export function assemblyCrisesOf(
  deps: PodDeps,
  room: AssembliesRoom,
  words: (key: "crisis" | "closed", params: Record<string, string>) => string,
) {
  const { config, log } = deps;
  const store = barterStore(roomsOf(deps));
  const get = store.crisis;
  const inAssembly = async (assembly: Assembly, iri: string) => {
    const crisis = await get(iri);
    if (!crisis || crisis.assemblyId !== assembly.id) throw notFound(`no crisis thread ${iri}`);
    return crisis;
  };

  /** A closing counts only from the thread's opener. */
  async function readClosing(assembly: Assembly, note: Note): Promise<boolean> {
    const crisis = note.replyTargetId ? await get(note.replyTargetId.href) : undefined;
    const author = note.attributionId?.href;
    if (!crisis || crisis.assemblyId !== assembly.id || author !== crisis.openerIri) {
      log.info({ note: note.id?.href, author, crisis: crisis?.iri }, "crisis closing refused: not the opener's");
      return false;
    }
    if (crisis.state === "closed") return crisis.closingIri === note.id!.href;
    if (await store.closeCrisis(crisis.iri, note.id!.href, deps.now().toISOString())) return true;
    // Closed meanwhile: this closing counts only if it is the one that closed it.
    return (await get(crisis.iri))?.closingIri === note.id!.href;
  }

  return {
    get,
    list: store.crises,
    /** This assembly's threads still open (the agenda's crises). */
    openIn: (assembly: Assembly): Promise<Crisis[]> => store.openCrises(assembly.id),

    open: (assembly: Assembly, terms: CrisisTerms): Promise<string> =>
      room.contribute(assembly.id, { kind: "crisis", text: words("crisis", { ...terms }) }, (note) =>
        withCrisis(note, terms),
      ),

    async reply(assembly: Assembly, crisisIri: string, text: string): Promise<string> {
      const crisis = await inAssembly(assembly, crisisIri);
      if (crisis.state === "closed") throw conflict("this crisis thread is closed");
      return room.contribute(assembly.id, { kind: "reply", text, inReplyTo: crisis.iri });
    },

    async close(assembly: Assembly, crisisIri: string, text: string): Promise<string> {
      const crisis = await inAssembly(assembly, crisisIri);
      if (crisis.openerIri !== room.self()) throw bad("crisis", "only the pod that opened a thread closes it");
      if (crisis.state === "closed") throw conflict("this crisis thread is already closed");
      const said = words("closed", { what: crisis.what, text });
      return room.contribute(assembly.id, { kind: "reply", text: said, inReplyTo: crisis.iri }, (note) =>
        withMarker(config, note, CLOSED),
      );
    },

    async read(assembly: Assembly, note: Note): Promise<boolean> {
      const tags = await tagNames(note);
      if (tags.includes(CLOSED) && note.replyTargetId) return readClosing(assembly, note);
      if (!tags.includes("crisis")) return true;
      const terms = await crisisOf(note);
      if (!terms) return true; // A crisis posted as plain text (the record's general form) is a contribution only.
      await store.addCrisis({
        iri: note.id!.href,
        assemblyId: assembly.id,
        openerIri: note.attributionId!.href,
        ...terms,
        state: "open",
        closingIri: null,
        closedAt: null,
        openedAt: deps.now().toISOString(),
      });
      return true;
    },

    async structure(row: ContributionRow, note: Note): Promise<Note> {
      if (row.kind === "crisis") {
        const crisis = await get(row.iri);
        return crisis ? withCrisis(note, crisis) : note;
      }
      const closing = await store.crisisClosedBy(row.assemblyId, row.iri);
      return closing ? withMarker(config, note, CLOSED) : note;
    },
  };
}

export type AssemblyCrises = ReturnType<typeof assemblyCrisesOf>;
