import type { Config } from "../config/schema.ts";
import { versionedCopy } from "../db/versioned-copy.ts";
import type { Practice } from "../practices/model.ts";
import { memoryIri, practiceIri } from "../publishing/iris.ts";
import type { GuideLink } from "../publishing/guides.ts";
import type { Entry } from "./model.ts";
import type { Guide, Subject } from "./store.ts";
import { uploadPath, type Upload } from "./uploads.ts";

/** A guide as a link anyone can open, with what it is. */
export type OpenGuide = GuideLink & { summary: string; guideKind: Guide["guideKind"]; guideId: string };

/** What a guide's link is made from: the practice, workflow or upload it names, each found by id. */
export interface GuideSources {
  links(): Promise<Guide[]>;
  practices(ids: string[]): Promise<Practice[]>;
  entries(ids: string[]): Promise<Entry[]>;
  uploads(ids: string[]): Promise<Upload[]>;
}

const keyOf = (subject: Subject) => `${subject.subjectKind}\u0000${subject.subjectId}`;
const idsOf = (links: Guide[], kind: Guide["guideKind"]) => [
  ...new Set(links.filter((l) => l.guideKind === kind).map((l) => l.guideId)),
];

/** The link of a guide anyone may open: a published practice, a public active workflow, a public upload. */
export async function openGuides(
  config: Config,
  sources: GuideSources,
  links: Guide[],
): Promise<(OpenGuide & Subject)[]> {
  const [practices, entries, uploads] = await Promise.all([
    sources.practices(idsOf(links, "practice")),
    sources.entries(idsOf(links, "workflow")),
    sources.uploads(idsOf(links, "upload")),
  ]);
  const found = new Map<string, GuideLink & { summary: string }>();
  for (const p of practices) {
    if (p.status !== "published") continue;
    found.set(`practice:${p.id}`, { name: p.title, summary: p.summary, url: practiceIri(config, p).href });
  }
  for (const w of entries) {
    if (!w.publicationId || w.visibility !== "public" || w.status !== "active") continue;
    found.set(`workflow:${w.id}`, { name: w.title, summary: w.summary, url: memoryIri(config, w.publicationId).href });
  }
  for (const u of uploads) {
    if (u.visibility !== "public") continue;
    found.set(`upload:${u.id}`, { name: u.title, summary: u.summary, url: new URL(uploadPath(u.id), config.url).href });
  }
  return links.flatMap((l) => {
    const link = found.get(`${l.guideKind}:${l.guideId}`);
    const subject = { subjectKind: l.subjectKind, subjectId: l.subjectId };
    return link ? [{ ...link, guideKind: l.guideKind, guideId: l.guideId, ...subject }] : [];
  });
}

/**
 * The public guide links of every offer, need and charter service, read synchronously: the offers room's
 * converters and the charters service build Notes and pages with them inside synchronous code, and neither room
 * awaits the memory room. The store is asynchronous (SQLite or PostgreSQL), so this is a copy in memory of the
 * links that resolve to something public, loaded before the pod serves and again when `savedVersion` (the
 * `guides` change counter, bumped by triggers on guide links, memory entries, uploads and practices: migrations
 * 0038 and migrations-pg/0006) says a process changed one. A lookup that sees the counter moved starts the
 * reload in the background; this process's own changes reload it at once (`load()`).
 */
export function guideCopy(
  config: Config,
  sources: GuideSources,
  savedVersion: () => number,
  onError: (error: unknown) => void,
) {
  let bySubject = new Map<string, OpenGuide[]>();
  const { load, refresh } = versionedCopy(
    savedVersion,
    async () => {
      const grouped = new Map<string, OpenGuide[]>();
      for (const { subjectKind, subjectId, ...guide } of await openGuides(config, sources, await sources.links())) {
        const key = keyOf({ subjectKind, subjectId });
        grouped.set(key, [...(grouped.get(key) ?? []), guide]);
      }
      return grouped;
    },
    (grouped) => {
      bySubject = grouped;
    },
  );

  return {
    load,
    refresh,
    /** The guides of one subject anyone can open, oldest link first. */
    of(subject: Subject): OpenGuide[] {
      refresh()?.catch(onError);
      return bySubject.get(keyOf(subject)) ?? [];
    },
  };
}

export type GuideCopy = ReturnType<typeof guideCopy>;
