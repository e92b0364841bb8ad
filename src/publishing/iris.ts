import type { Config } from "../config/schema.ts";

/**
 * Every IRI this pod mints for what it publishes, in one place: converters, services, the view's own
 * objects and the tombstones all ask here (and SQL never concatenates one).
 */

type OfferRef = { kind: "offer" | "need"; id: string };
type IdRef = { id: string };

const at = (config: Config, path: string) => new URL(path, config.url);

/** The pod's actor (Fedify's actor dispatcher answers at this path). */
export const actorIri = (config: Config) => at(config, `/users/${config.handle}`);

export const offerPath = (row: OfferRef) => `/${row.kind === "offer" ? "offers" : "needs"}/${row.id}`;
export const offerIri = (config: Config, row: OfferRef) => at(config, offerPath(row));
export const offerNoteIri = (config: Config, row: OfferRef) => at(config, `${offerPath(row)}/note`);

export const practicePath = (row: IdRef) => `/practices/${row.id}`;
export const practiceIri = (config: Config, row: IdRef) => at(config, practicePath(row));
export const practiceNoteIri = (config: Config, row: IdRef) => at(config, `${practicePath(row)}/note`);
export const tagIri = (config: Config, tag: string) => at(config, `/tags/${encodeURIComponent(tag)}`);

export const charterIri = (config: Config) => at(config, "/charter");
export const charterNoteIri = (config: Config) => at(config, "/charter/note");
export const revisionIri = (config: Config, number: number) => at(config, `/charter/revisions/${number}`);
export const serviceIri = (config: Config, key: string) => at(config, `/charter/services/${key}`);

/** A category this pod defined itself (the shared taxonomy has its own base, categories/taxonomy.ts). */
export const customCategoryIri = (config: Config, slug: string) => at(config, `/categories/${slug}`);

/** A public memory entry (decision, workflow, lesson), by its publication id (memory/schema.ts). */
export const memoryPath = (publicationId: string) => `/memory/${publicationId}`;
export const memoryIri = (config: Config, publicationId: string) => at(config, memoryPath(publicationId));
export const memoryNoteIri = (config: Config, publicationId: string) => at(config, `${memoryPath(publicationId)}/note`);
