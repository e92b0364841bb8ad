import type { Note } from "@fedify/vocab";
import { and, asc, eq } from "drizzle-orm";
import type { PodDeps } from "../federation/deps.ts";
import { ProblemError, conflict, notFound } from "../http/problem.ts";
import type { Assembly, ContributionRow } from "./model.ts";
import type { AssembliesRoom } from "./room.ts";
import { assemblyCrises } from "./schema-barter.ts";
import { CLOSED, crisisOf, tagNames, withCrisis, withMarker, type CrisisTerms } from "./to-as-barter.ts";

export type Crisis = typeof assemblyCrises.$inferSelect;

const bad = (field: string, detail: string) =>
  new ProblemError({ status: 422, title: "Unprocessable Content", detail, field });

/** Crisis threads: a participant opens one, others reply in it, only its opener closes it. */
export function assemblyCrisesOf(
  deps: PodDeps,
  room: AssembliesRoom,
  words: (key: "crisis" | "closed", params: Record<string, string>) => string,
) {
  const { db, config, log } = deps;
  const get = (iri: string) => db.select().from(assemblyCrises).where(eq(assemblyCrises.iri, iri)).get();
  const inAssembly = (assembly: Assembly, iri: string) => {
    const crisis = get(iri);
    if (!crisis || crisis.assemblyId !== assembly.id) throw notFound(`no crisis thread ${iri}`);
    return crisis;
  };

  /** A closing counts only from the thread's opener. */
  function readClosing(assembly: Assembly, note: Note): boolean {
    const crisis = note.replyTargetId ? get(note.replyTargetId.href) : undefined;
    const author = note.attributionId?.href;
    if (!crisis || crisis.assemblyId !== assembly.id || author !== crisis.openerIri) {
      log.info({ note: note.id?.href, author, crisis: crisis?.iri }, "crisis closing refused: not the opener's");
      return false;
    }
    if (crisis.state === "closed") return crisis.closingIri === note.id!.href;
    db.update(assemblyCrises)
      .set({ state: "closed", closingIri: note.id!.href, closedAt: deps.now().toISOString() })
      .where(eq(assemblyCrises.iri, crisis.iri))
      .run();
    return true;
  }

  return {
    get,
    list: (assemblyId: string): Crisis[] =>
      db
        .select()
        .from(assemblyCrises)
        .where(eq(assemblyCrises.assemblyId, assemblyId))
        .orderBy(asc(assemblyCrises.openedAt), asc(assemblyCrises.iri))
        .all(),
    /** This assembly's threads still open (the agenda's crises). */
    openIn: (assembly: Assembly): Crisis[] =>
      db
        .select()
        .from(assemblyCrises)
        .where(and(eq(assemblyCrises.assemblyId, assembly.id), eq(assemblyCrises.state, "open")))
        .orderBy(asc(assemblyCrises.openedAt))
        .limit(50)
        .all(),

    open: (assembly: Assembly, terms: CrisisTerms): Promise<string> =>
      room.contribute(assembly.id, { kind: "crisis", text: words("crisis", { ...terms }) }, (note) =>
        withCrisis(note, terms),
      ),

    reply(assembly: Assembly, crisisIri: string, text: string): Promise<string> {
      const crisis = inAssembly(assembly, crisisIri);
      if (crisis.state === "closed") throw conflict("this crisis thread is closed");
      return room.contribute(assembly.id, { kind: "reply", text, inReplyTo: crisis.iri });
    },

    async close(assembly: Assembly, crisisIri: string, text: string): Promise<string> {
      const crisis = inAssembly(assembly, crisisIri);
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
      db.insert(assemblyCrises)
        .values({
          iri: note.id!.href,
          assemblyId: assembly.id,
          openerIri: note.attributionId!.href,
          ...terms,
          state: "open",
          closingIri: null,
          closedAt: null,
          openedAt: deps.now().toISOString(),
        })
        .onConflictDoNothing()
        .run();
      return true;
    },

    structure(row: ContributionRow, note: Note): Note {
      if (row.kind === "crisis") {
        const crisis = get(row.iri);
        return crisis ? withCrisis(note, crisis) : note;
      }
      const closing = db
        .select({ iri: assemblyCrises.iri })
        .from(assemblyCrises)
        .where(and(eq(assemblyCrises.assemblyId, row.assemblyId), eq(assemblyCrises.closingIri, row.iri)))
        .get();
      return closing ? withMarker(config, note, CLOSED) : note;
    },
  };
}

export type AssemblyCrises = ReturnType<typeof assemblyCrisesOf>;
