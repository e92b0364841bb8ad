import type { Config } from "../config/schema.ts";
import { memoryRecord, type ViewRecord } from "../confederation/from-as.ts";
import { actorIri, memoryIri } from "../publishing/iris.ts";
import { escapeHtml } from "../web/html.ts";
import { entryHtml, type PublicEntry } from "./to-as.ts";

/** This pod's public entry as a view item: its Article's values, read by the same builder as a neighbor's. */
export function entryViewRecord(config: Config, row: PublicEntry): ViewRecord {
  const iri = memoryIri(config, row.publicationId).href;
  return memoryRecord(
    {
      iri,
      name: row.title,
      summary: escapeHtml(row.summary),
      content: entryHtml(config, row),
      url: iri,
      startTime: null,
      endTime: null,
      published: row.createdAt,
      updated: row.updatedAt === row.createdAt ? null : row.updatedAt,
      entry: row.kind,
      revision: row.kind === "workflow" ? String(row.revision) : null,
      adaptedFrom: row.adaptedFrom,
    },
    actorIri(config).href,
  );
}
